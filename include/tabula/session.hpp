#pragma once

// A Session is a unit of work on one Engine: it keeps the records it loaded or was given (one
// object per row: the identity map), remembers what changed, and writes it all in one
// transaction at flush/commit: INSERTs for added records, UPDATEs of only the changed columns,
// DELETEs for removed ones, ordered by foreign keys.
//
//   tabula::Session session = engine.session();      // no connection taken yet
//   tabula::Record& order = session.add(models.at("orders").make({{"customer", "ada"}}));
//   tabula::Record* shelf = session.get("shelf", 7); // SELECT by primary key (or nullptr)
//   shelf->set("label", "top");                      // remembered: UPDATE shelf SET label = ?
//   session.commit();                                // INSERT ... RETURNING, UPDATE; COMMIT
//   std::int64_t id = order.get<std::int64_t>("id");
//
// Connection discipline: a session takes no connection until its first statement, keeps it
// until commit() or rollback(), and gives it back in its destructor after rolling back anything
// uncommitted. Movable, not copyable; one thread at a time (debug builds detect two threads
// using one session at once and throw).
//
// Records returned by add/get/query are owned by the session and stay at the same address until
// the session is destroyed or clear()ed. docs/session.md has the whole story.

#include <tabula/detail/typed_hooks.hpp>
#include <tabula/key.hpp>
#include <tabula/lease.hpp>
#include <tabula/query.hpp>
#include <tabula/record.hpp>
#include <tabula/savepoint.hpp>

#include <chrono>
#include <memory>
#include <source_location>
#include <string_view>
#include <type_traits>
#include <vector>

namespace tabula {

class Engine;
class Model;
template <class T>
class TypedQuery;
namespace detail {
struct SessionState;
}  // namespace detail

// What a session is for. Only a URL with topology=replication tells reads from writes
// (docs/cluster.md).
struct SessionOptions {
  // Reads only: on a replication cluster the session reads from a replica within
  // max_replica_lag (or the primary, with replica_fallback), and any write it stages is refused
  // at flush with an Error before SQL is sent.
  bool read_only = false;
  // Read-your-writes on a replication cluster: the session's connection first waits until its
  // server has applied the commit `after` names (a write session's last_commit()), at most
  // `after_timeout`; past it the session throws Error rather than give a stale answer. Empty:
  // no wait.
  std::string after = {};
  std::chrono::milliseconds after_timeout{5000};
  // Write-behind for bulk inserts: once the staged inserts of one table fill a page (1000 rows
  // on MariaDB) and one more is staged, add() sends the page and returns while the server runs
  // it, so building the next records overlaps the server's work. It is a flush that happens
  // early: the transaction begins at the first page, keys arrive when the page lands (at the
  // next page, or any later call of the session), and a page the server refuses is reported by
  // whichever call waits for it (add() included; its record is staged all the same), handled
  // as a failed flush (docs/session.md). Changing a record whose page is running waits for the
  // page first. Used on MariaDB with INSERT ... RETURNING and prepared statements; elsewhere,
  // and in sessions holding typed objects or inserts with links, add() sends nothing ahead.
  bool write_behind = false;
};

class Session {
 public:
  ~Session();
  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Stages `record` for insertion and returns the session's copy, which receives generated keys
  // and server defaults at flush. Throws ValidationError when the record lacks a required column
  // or is a view's, Error when a record with the same primary key is already in the session.
  Record& add(Record record);

  // The record of `model` with primary key `key` (one value, or {a, b} for a composite key in
  // key-column order), or nullptr when there is no such row. A record already in the session is
  // returned as is, with no SQL; otherwise staged work is flushed first and the row is read.
  // Throws ValidationError when the key does not fit the key columns, or the table has none.
  Record* get(const Model& model, const Key& key);
  Record* get(std::string_view table, const Key& key);

  // Stages a DELETE of a record from the database (by its primary key), children before
  // parents at flush; a record added and not yet flushed is simply dropped. Throws
  // ValidationError for a table without a primary key, Error for a record not in this session.
  void remove(Record& record);

  // A query on `model`'s table (query.hpp); its results join the identity map.
  Query query(const Model& model);
  Query query(std::string_view table);

  // Relationships (automap.hpp names them): the parent a many-to-one relationship points to
  // (nullptr when the foreign key is NULL or the row is missing) and the children of a
  // one-to-many one, loaded through the session (identity map; staged work flushed first).
  Record* parent(Record& child, std::string_view relationship);
  std::vector<Record*> children(Record& parent, std::string_view relationship);

  // Points `child`'s many-to-one `relationship` at `parent`: its foreign-key columns take the
  // parent's key, now if the parent has one, else at flush after the parent is inserted, so a
  // parent and its children can be added together with keys the database generates.
  void link(Record& child, std::string_view relationship, Record& parent);

  // Sends staged work inside the session's transaction (beginning it, and taking a connection,
  // if needed): inserts parents first (multi-row INSERT ... RETURNING pages on MariaDB), then
  // updates of changed columns, then deletes children first. On failure everything is rolled
  // back to the innermost savepoint (or the transaction's start), what was sent since is staged
  // again, the session stays usable, and the error names the failing record.
  void flush();

  // flush(), then COMMIT; the connection goes back to the pool. Nothing half-written is ever
  // committed.
  void commit();

  // Rolls back what was sent, discards staged work, reverts changed records to their database
  // values, forgets records added in this transaction, gives the connection back. Never throws.
  void rollback() noexcept;

  // Begins the transaction now (taking a connection) instead of at the first flush. Throws
  // Error when one is already open.
  void begin();

  // A nested transaction (SAVEPOINT) as an RAII guard: flushes, then sets the savepoint.
  // Destroying the guard without release() rolls back to it (savepoint.hpp).
  Savepoint savepoint();

  // Runs one statement that returns no rows on the session's connection, inside its
  // transaction (taking a connection and beginning one if needed), after flushing staged work:
  // for what the unit of work has no call for (`SET FOREIGN_KEY_CHECKS = 0`, a bulk UPDATE).
  // Records already loaded do not see its effects. Throws SqlError.
  void execute(std::string_view statement);

  // Forgets every record (references to them dangle afterwards); for long-lived sessions that
  // load many rows. Throws Error when work is staged (flush or roll back first).
  void clear();

  // True while the session holds a connection / has a transaction open.
  bool has_connection() const noexcept;
  // Replication: what names the last commit this session made (its GTID, "0-1-42"), for a read
  // session's SessionOptions::after; empty before any commit, or on other topologies.
  const std::string& last_commit() const noexcept;
  bool in_transaction() const noexcept;
  // Staged inserts and deletes, plus changed records, not yet flushed.
  std::size_t pending() const noexcept;
  // Records the session holds.
  std::size_t size() const noexcept;

  // Typed models (generated by tabula-gen; typed_session.hpp has the definitions and
  // docs/codegen.md the rules). The session owns the objects; their fields are compared with
  // the row at every flush, so a changed field becomes an UPDATE of that column, and generated
  // keys and defaults are copied back after the flush. A struct without table_traits, or with a
  // field count that does not match them, is a compile error saying so.
  //
  //   shop::Orders& o = session.add(shop::Orders{.customer = "ada", .qty = 3});
  //   shop::Orders* again = session.get<shop::Orders>(7);
  //   std::vector<shop::Orders> big = session.query<shop::Orders>().where("qty > ?", 3).all();
  template <class T>
  requires(!std::is_same_v<std::remove_cvref_t<T>, Record>) std::remove_cvref_t<T>
  &add(T&& object);
  template <class T>
  T* get(const Key& key);
  template <class T>
  TypedQuery<T> query();
  // Stages a DELETE of a typed object's row (as remove(Record&)).
  template <class T>
  requires(!std::is_same_v<T, Record>) void remove(T& object);

 private:
  friend class Engine;
  friend class Query;
  friend class Savepoint;
  template <class T>
  friend class TypedQuery;
  Session(Engine& engine, std::source_location where, SessionOptions options = {});

  using TypedHooks = detail::TypedHooks;
  // add() without sending anything ahead.
  Record& stage(Record&& record);
  // With SessionOptions::write_behind, sends the staged inserts' full pages once a page's worth
  // and one more are staged (add() calls it after stage(), add<T>() once the object is bound).
  void after_add();
  const Model& model_named(std::string_view table);
  // The object bound to `record`, or nullptr.
  void* typed_object(const Record& record) const;
  // The typed object bound to `record`, made from it (and bound) if there is none yet.
  template <class T>
  T& object_for(Record& record);
  // The record `object` is bound to; Error when it is not the session's.
  Record& typed_record(const void* object);
  // Binds `object` to `record` (the session keeps both) and returns it.
  // (`hooks` must outlive the session: detail::typed_hooks<T>.)
  void* bind_typed(Record& record, std::shared_ptr<void> object, const TypedHooks& hooks);

  std::unique_ptr<detail::SessionState> state_;
};

}  // namespace tabula
