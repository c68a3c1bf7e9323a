#pragma once

// Debian's libmariadb-dev 3.3 ships <mysql/client_plugin.h>, which includes <ma_compress.h>, but
// not that header. The compression plugin's declarations there only need the context type's
// name; tabula declares no compression plugin. On the include path of mysql_tls.cpp only.
typedef struct st_ma_compress_ctx ma_compress_ctx;
