// reflect_timer URL [runs]: reflects the database `runs` times (default 3) through tabula and
// prints the best time and the number of catalog queries, for bench/reflect_bench.sh:
//   tables=1000 seconds=0.183 queries=6

#include <tabula/engine.hpp>
#include <tabula/error.hpp>
#include <tabula/reflect.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: reflect_timer URL [runs]\n";
    return 2;
  }
  try {
    int runs = argc > 2 ? std::atoi(argv[2]) : 3;
    tabula::Engine engine(argv[1], {.max_connections = 1});
    double best = 1e9;
    tabula::ReflectStats stats;
    std::size_t tables = 0;
    for (int i = 0; i < runs; ++i) {
      tables = tabula::reflect(engine, {}, &stats).tables.size();
      best = std::min(best, static_cast<double>(stats.elapsed.count()) / 1e6);
    }
    std::printf("tables=%zu seconds=%.4f queries=%d\n", tables, best, stats.queries);
  } catch (const tabula::Error& e) {
    std::cerr << "reflect_timer: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
