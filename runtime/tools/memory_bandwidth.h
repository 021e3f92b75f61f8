// The machine's sustained read bandwidth, measured like the SAD ceiling: a streaming read loop over
// a buffer far larger than the caches, on one thread or every thread at once. `adderq-run bench`
// places each adder layer on a roofline with it (its bytes moved against this, its ops against
// the vpsadbw ceiling).
#pragma once

namespace adderq::tools {

// Bytes per second that `threads` threads read together, each streaming its own 64 MiB buffer for
// about `seconds` (best of the passes).
double MeasureReadBandwidth(int threads, double seconds);

}  // namespace adderq::tools
