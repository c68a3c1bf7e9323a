#pragma once

// A sample row for any table: the row `tabula demo` inserts (and rolls back). Each column gets the
// first of a list of candidate values that the column takes (Model::admit: type, range, length,
// precision and scale, enum/set members) and that none of its CHECKs refuses, as far as
// check_reader.hpp can tell; the CHECKs' literals and their neighbours are candidates too.
//
//   // CREATE TABLE Customers (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(10) NOT NULL,
//   //                         code CHAR(2) NOT NULL, qty INT NOT NULL CHECK (qty BETWEEN 5 AND 9))
//   tabula::Record row = tabula::cli::sample_row(models.at("Customers"));
//   // name "tabula dem", code "ta", qty 5; id is left to the server
//
// A row chosen here can still be refused at the server (a trigger, a CHECK the reader cannot
// read, a duplicate key). A free function on an immutable Model: safe to call from any thread.

#include <tabula/record.hpp>

namespace tabula {
class Model;
}

namespace tabula::cli {

// A new record of `model`'s table with a value that fits in every column an INSERT needs (NOT
// NULL without a default) and in every text column (char, text); auto-increment and generated
// columns, and other optional columns, are left unset, and so is a text column no candidate fits.
// Throws ValidationError naming the table and column (and the CHECK in the way, if any) when a
// needed column has no value; `model` is unchanged either way.
Record sample_row(const Model& model);

}  // namespace tabula::cli
