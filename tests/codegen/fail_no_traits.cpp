// Must not compile: a struct tabula knows nothing about, given to a session.
#include <tabula/typed_session.hpp>

struct NotAModel {
  int id;
};

void misuse(tabula::Session& session) {
  session.add(NotAModel{1});
}
