// millrace/cuda/runtime.cuh — CUDA runtime helpers for the GPU stages: errors that name the call,
// and a probe saying whether a device is usable (without one, cudaGetDeviceCount fails, e.g. 35
// cudaErrorInsufficientDriver where no driver is loaded). Include from .cu files only.
//   MILLRACE_CUDA_CHECK(cudaStreamCreate(&s));   // throws millrace::cuda::cuda_error("cudaStreamCreate(&s): ...")
#pragma once

#include <stdexcept>
#include <string>

#include <cuda_runtime.h>

namespace millrace::cuda {

/// A failed CUDA runtime call: its text, the error's name and description.
class cuda_error : public std::runtime_error {
 public:
  cuda_error(const char* call, cudaError_t e)
      : std::runtime_error(std::string(call) + ": " + cudaGetErrorName(e) + " (" + std::to_string(int(e)) + "): " +
                           cudaGetErrorString(e)),
        code_(e) {}
  /// The CUDA error code.
  cudaError_t code() const noexcept { return code_; }

 private:
  cudaError_t code_;
};

/// Throws cuda_error naming `call` unless e is cudaSuccess.
inline void check(cudaError_t e, const char* call) {
  if (e != cudaSuccess) throw cuda_error(call, e);
}
#define MILLRACE_CUDA_CHECK(call) ::millrace::cuda::check((call), #call)

/// How many CUDA devices this process can use, and why none when none.
struct device_probe {
  int devices = 0;     ///< usable CUDA devices (0 when the count fails or is 0)
  std::string reason;  ///< the failed call and error, or "0 devices"; empty when devices > 0
};

/// Asks the runtime; never throws (no driver, no device and a broken install are all "none").
inline device_probe probe_devices() {
  device_probe p;
  const cudaError_t e = cudaGetDeviceCount(&p.devices);
  if (e != cudaSuccess) {
    p.devices = 0;
    p.reason = std::string("cudaGetDeviceCount: ") + cudaGetErrorName(e) + " (" + std::to_string(int(e)) + "): " +
               cudaGetErrorString(e);
    (void)cudaGetLastError();  // clear the sticky error for later calls
  } else if (p.devices == 0) {
    p.reason = "cudaGetDeviceCount: 0 devices";
  }
  return p;
}

}  // namespace millrace::cuda
