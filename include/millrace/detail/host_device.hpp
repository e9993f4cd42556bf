// millrace/detail/host_device.hpp — MILLRACE_HD marks a function callable on the host and the device:
// `__host__ __device__` under nvcc, nothing under g++ (the device logic's CPU-backend tests).
//   MILLRACE_HD inline std::uint64_t f(std::uint64_t x) { return x * 3; }
#pragma once

#if defined(__CUDACC__)
#define MILLRACE_HD __host__ __device__
#else
#define MILLRACE_HD
#endif
