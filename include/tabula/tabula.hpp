#pragma once

// The umbrella header for users of tabula. Never include it from inside the library.

#include <tabula/automap.hpp>
#include <tabula/connection.hpp>
#include <tabula/credentials.hpp>
#include <tabula/engine.hpp>
#include <tabula/error.hpp>
#include <tabula/key.hpp>
#include <tabula/lease.hpp>
#include <tabula/log.hpp>
#include <tabula/metrics.hpp>
#include <tabula/pool.hpp>
#include <tabula/query.hpp>
#include <tabula/record.hpp>
#include <tabula/reflect.hpp>
#include <tabula/savepoint.hpp>
#include <tabula/schema.hpp>
#include <tabula/session.hpp>
#include <tabula/snapshot.hpp>
#include <tabula/url.hpp>
#include <tabula/value.hpp>
