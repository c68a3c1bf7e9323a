#pragma once

// A Google Benchmark reporter that prints the usual console table and also remembers each run's
// items per second by (benchmark function, thread count), so a benchmark can end with
// `ratio: name = x` lines comparing tabula with the raw client measured in the same run.

#include <benchmark/benchmark.h>

#include <map>
#include <optional>
#include <string>
#include <utility>

namespace tabula::bench {

class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.error_occurred || run.run_type != Run::RT_Iteration) continue;
      auto it = run.counters.find("items_per_second");
      if (it == run.counters.end()) continue;
      rates_[{run.run_name.function_name, run.threads}] = it->second.value;
    }
    ConsoleReporter::ReportRuns(runs);
  }

  // Items per second of `function` at `threads` threads, if it ran.
  std::optional<double> rate(const std::string& function, std::int64_t threads) const {
    auto it = rates_.find({function, threads});
    if (it == rates_.end()) return std::nullopt;
    return it->second;
  }

 private:
  std::map<std::pair<std::string, std::int64_t>, double> rates_;
};

}  // namespace tabula::bench
