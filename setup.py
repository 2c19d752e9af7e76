"""Builds the compiled training kernels (``src/wordvec/csrc``) with the package.

The extension is optional: where no C compiler is found the install still
succeeds and wordvec trains with its Numba kernels instead.
"""

import sys

from setuptools import Extension, setup

if sys.platform == "win32":
    FLAGS = ["/O2", "/fp:fast"]
else:
    # -ffast-math's parts that let the compiler vectorise sums, without the flag itself
    # (which would also change the floating-point mode of the whole process).
    FLAGS = ["-O3", "-std=c99", "-fno-math-errno", "-fno-trapping-math", "-fassociative-math", "-fno-signed-zeros",
             "-ffp-contract=fast"]

setup(
    ext_modules=[
        Extension(
            "wordvec._wordvec_kernels",
            sources=[f"src/wordvec/csrc/{name}.c" for name in (
                "train",
                "skipgram",
                "cbow",
                "rows_generic",
                "rows_avx512",
                "task",
                "subwords",
                "vector_code",
                "text",
            )],
            depends=[f"src/wordvec/csrc/{name}.h" for name in ("wordvec_kernels", "rows", "steps", "random", "task")],
            extra_compile_args=FLAGS,
            optional=True,
        )
    ]
)
