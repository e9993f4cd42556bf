// millrace/cuda/device_option.hpp — the jobs' --device cpu|gpu: checks that the GPU backend can run
// before a job starts, and says why not (a build without nvcc, no driver, no device) in one line
// naming the job.
//   if (int rc = millrace::cuda::check_device_option("millrace-dedup", device); rc != 0) return rc;
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#if defined(MILLRACE_HAVE_CUDA_BACKEND)
#include <millrace/cuda/backend.hpp>
#endif

namespace millrace::cuda {

/// 0 when `device` is "cpu", or "gpu" with a usable device and a job whose GPU path exists
/// (`job_has_gpu_path`); otherwise prints the reason to stderr and returns 2 (the exit status).
inline int check_device_option(std::string_view job, std::string_view device, bool job_has_gpu_path = true) {
  if (device == "cpu") return 0;
  if (device != "gpu") {
    std::fprintf(stderr, "%.*s: --device '%.*s': give cpu or gpu\n", int(job.size()), job.data(), int(device.size()),
                 device.data());
    return 2;
  }
#if defined(MILLRACE_HAVE_CUDA_BACKEND)
  const gpu_availability a = gpu_available();
  if (a.devices == 0) {
    std::fprintf(stderr, "%.*s: --device gpu: no usable CUDA device (%s); run with --device cpu\n", int(job.size()),
                 job.data(), a.reason.c_str());
    return 2;
  }
  if (!job_has_gpu_path) {
    std::fprintf(stderr, "%.*s: --device gpu: %d CUDA device(s) found, but this job does not route its records through "
                 "the GPU stages yet (docs/gpu.md); run with --device cpu\n", int(job.size()), job.data(), a.devices);
    return 2;
  }
  return 0;
#else
  (void)job_has_gpu_path;
  std::fprintf(stderr, "%.*s: --device gpu: this build has no CUDA backend (nvcc was not found when it was configured); "
               "run with --device cpu\n", int(job.size()), job.data());
  return 2;
#endif
}

}  // namespace millrace::cuda
