"""Builds the compiled kernels (``src/wordvec/kernels/csrc``) with the package.

The kernels are required: where they cannot be built (no C compiler), the install stops with
one line that says so.
"""

import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

CSRC = "src/wordvec/kernels/csrc"

if sys.platform == "win32":
    FLAGS = ["/O2", "/fp:fast"]
else:
    # -ffast-math's parts that let the compiler vectorise sums, without the flag itself
    # (which would also change the floating-point mode of the whole process).
    FLAGS = ["-O3", "-std=c99", "-fno-math-errno", "-fno-trapping-math", "-fassociative-math", "-fno-signed-zeros",
             "-ffp-contract=fast"]


class BuildKernels(build_ext):
    """``build_ext`` that turns a failed build of the kernels into one line saying what is missing."""

    def run(self):
        try:
            super().run()
        except Exception as error:  # distutils' CompileError, LinkError, PlatformError, ...
            detail = f"{type(error).__name__}: {' '.join(str(error).split())[:200]}"
            if _no_compiler(error):
                raise SystemExit(f"error: wordvec needs a C compiler to build its kernels ({CSRC}): install one "
                                 f"(gcc or clang; on Windows, Microsoft C++ Build Tools) and run pip again "
                                 f"[{detail}]") from None
            raise SystemExit(f"error: wordvec's kernels ({CSRC}) did not build with this C compiler (its messages "
                             f"are above) [{detail}]") from None


def _no_compiler(error: Exception) -> bool:
    """Whether a failed build failed for want of a compiler (none found, or MSVC's tools missing)."""
    text = str(error)
    return (type(error).__name__ in ("PlatformError", "DistutilsPlatformError") or "No such file or directory" in text
            or "not found" in text or "vcvarsall" in text or "Visual C++" in text)


setup(
    cmdclass={"build_ext": BuildKernels},
    ext_modules=[
        Extension(
            "wordvec.kernels._wordvec_kernels",
            sources=[f"{CSRC}/{name}.c" for name in (
                "train",
                "skipgram",
                "tree_skipgram",
                "blocks",
                "cbow",
                "rows_generic",
                "rows_avx512",
                "task",
                "subwords",
                "vector_code",
                "text",
                "classify",
                "classify_lines",
                "supervised",
                "labelled",
                "sequences",
            )],
            depends=[f"{CSRC}/{name}.h" for name in ("wordvec_kernels", "compiler", "rows", "steps", "random", "blocks",
                                                     "task")],
            extra_compile_args=FLAGS,
        )
    ],
)
