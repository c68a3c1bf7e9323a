#include "sample_database.hpp"

// The script is embedded with the assembler's .incbin, so no generated source of half a megabyte
// is needed. TABULA_CHINOOK_SQL is the script's absolute path, set by cli/CMakeLists.txt.
#define TABULA_STRINGIFY2(x) #x
#define TABULA_STRINGIFY(x) TABULA_STRINGIFY2(x)

__asm__(".section .rodata\n"
        ".global tabula_chinook_begin\n"
        ".global tabula_chinook_end\n"
        "tabula_chinook_begin:\n"
        ".incbin \"" TABULA_STRINGIFY(TABULA_CHINOOK_SQL) "\"\n"
        "tabula_chinook_end:\n"
        ".previous\n");

extern "C" const char tabula_chinook_begin[];
extern "C" const char tabula_chinook_end[];

namespace tabula::cli {

std::string_view chinook_sqlite_script() noexcept {
  return {tabula_chinook_begin,
          static_cast<std::size_t>(tabula_chinook_end - tabula_chinook_begin)};
}

}  // namespace tabula::cli
