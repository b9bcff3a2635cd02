"""The Gradio web app (thin adapters over the core)."""
