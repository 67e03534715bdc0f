// The text report of the throughput benchmark (Qt-free): what `lamplight-cli bench` prints without
// --json and what `lamplight-gpu-bench` prints on a machine without Qt.
#pragma once

#include "bench/throughput.h"

#include <string>
#include <vector>

namespace lamp::bench {

// Model, backend, pp and tg tokens/s, the bandwidth share and readings, peak memory: to stdout.
void printReport(const ThroughputResult& r, const ThroughputOptions& o);

// "vulkan / cpu: pp 12.3x, tg 4.56x" for each result after the first, against the first.
void printRatios(const std::vector<std::string>& backends, const std::vector<ThroughputResult>& results);

} // namespace lamp::bench
