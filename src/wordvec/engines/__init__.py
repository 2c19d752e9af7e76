"""Training engines other than the native Numba one."""
