#include "detail/redact.hpp"

namespace tabula::detail {

std::string redact(std::string message, std::string_view secret) {
  if (secret.size() < 4) return message;
  for (auto pos = message.find(secret); pos != std::string::npos;
       pos = message.find(secret, pos + 3)) {
    message.replace(pos, secret.size(), "***");
  }
  return message;
}

}  // namespace tabula::detail
