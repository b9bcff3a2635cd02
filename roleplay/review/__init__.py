"""The teacher's side of graded work: class analytics, the class export, uploads for batch grading."""
