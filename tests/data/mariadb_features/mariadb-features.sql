-- MariaDB 10.11 features and tricky defaults, for reflection tests (tests/reflection).
-- Written for this project; see README.md in this folder. Loads on MariaDB 10.11 with its
-- default sql_mode (backslash escapes on, no ANSI_QUOTES).

DROP DATABASE IF EXISTS mariadb_features;
DROP DATABASE IF EXISTS mariadb_features_other;
-- Only the target of a cross-database foreign key (mariadb_features.cross_db).
CREATE DATABASE mariadb_features_other DEFAULT CHARACTER SET utf8mb4;
CREATE TABLE mariadb_features_other.remote (id INT NOT NULL PRIMARY KEY);

CREATE DATABASE mariadb_features DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;
USE mariadb_features;

-- String defaults with every escape MariaDB knows, and other literal and expression defaults.
-- Note: '\%' and '\_' keep their backslash (they are LIKE escapes), so s_pct is `pct\%_\_`.
CREATE TABLE defaults (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  s_newline VARCHAR(20) NOT NULL DEFAULT 'line\nbreak',
  s_cr_ctrl_z VARCHAR(20) NOT NULL DEFAULT 'a\rb\Zc',
  s_quote VARCHAR(20) NOT NULL DEFAULT 'it''s',
  s_backslash VARCHAR(20) NOT NULL DEFAULT 'back\\slash',
  s_tab VARCHAR(20) NOT NULL DEFAULT 'tab\t',
  s_pct VARCHAR(20) NOT NULL DEFAULT 'pct\%_\_',
  s_dquote VARCHAR(20) NOT NULL DEFAULT 'q"d',
  s_backslash_quote VARCHAR(20) NOT NULL DEFAULT 'esc\'d',
  s_nul VARCHAR(20) NOT NULL DEFAULT 'nul\0x',
  s_backspace VARCHAR(20) NULL DEFAULT 'bs\bx',
  s_minus_one VARCHAR(20) NULL DEFAULT '-1',
  s_empty VARCHAR(20) NOT NULL DEFAULT '',
  s_null_word VARCHAR(20) NULL DEFAULT 'NULL',
  s_real_null VARCHAR(20) NULL DEFAULT NULL,
  s_no_default VARCHAR(20) NOT NULL,
  s_nullable_no_default VARCHAR(20),
  s_zero CHAR(1) NOT NULL DEFAULT '0',
  s_text TEXT NOT NULL DEFAULT 'text default',
  s_unicode VARCHAR(20) NOT NULL DEFAULT 'naïve ☃',
  b3 BIT(3) NOT NULL DEFAULT b'101',
  b1 BIT(1) NULL DEFAULT b'0',
  n_int INT NOT NULL DEFAULT -7,
  n_decimal DECIMAL(10,2) NOT NULL DEFAULT 4.50,
  n_double DOUBLE NOT NULL DEFAULT 1.5e3,
  n_bool BOOLEAN NOT NULL DEFAULT TRUE,
  n_neg_decimal DECIMAL(5,2) NULL DEFAULT -0.5,
  n_float FLOAT(7,4) NULL DEFAULT 1.5,
  n_double_md DOUBLE(10,2) NULL,
  n_zerofill TINYINT(3) UNSIGNED ZEROFILL NULL DEFAULT 5,
  t_time TIME(3) NULL DEFAULT '10:00:00.5',
  s_latin1 CHAR(3) CHARACTER SET latin1 COLLATE latin1_bin NULL DEFAULT 'é',
  e_expr INT NOT NULL DEFAULT (1 + 2),
  e_uuid CHAR(36) NOT NULL DEFAULT (uuid()),
  e_concat VARCHAR(40) NOT NULL DEFAULT (concat('a', 'b')),
  d_date DATE NOT NULL DEFAULT '2000-01-01',
  d_zero DATETIME NOT NULL DEFAULT '0000-00-00 00:00:00',
  d_fraction DATETIME(6) NOT NULL DEFAULT '2000-01-01 00:00:00.123456',
  d_curdate DATE NOT NULL DEFAULT (curdate()),
  created TIMESTAMP NOT NULL DEFAULT current_timestamp(),
  updated TIMESTAMP NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp(),
  updated6 DATETIME(6) NULL DEFAULT NULL ON UPDATE current_timestamp(6),
  updated6_now DATETIME(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  updated_lit DATETIME NOT NULL DEFAULT '2001-02-03 04:05:06' ON UPDATE current_timestamp(),
  y YEAR NOT NULL DEFAULT 2024,
  e ENUM('line\nbreak','x','it''s') NOT NULL DEFAULT 'x',
  e_backslash ENUM('back\\slash','a,b','tab\t') NULL DEFAULT 'back\\slash',
  st SET('it''s','back\\slash','q"d') NOT NULL DEFAULT 'it''s,q"d',
  commented INT NULL COMMENT 'it''s a \\ comment\nwith a newline',
  commented_raw VARCHAR(20) NULL COMMENT 'tab\there \\Z\Zq'
) COMMENT 'defaults: ''quotes'' and \\ backslashes\nand a newline';

-- A view. Views have the placeholder TABLE_COMMENT 'VIEW' and cannot have a comment.
CREATE VIEW v_defaults AS
  SELECT id, s_newline, s_quote, b3, n_decimal, created, e FROM defaults;

-- A SPATIAL index on a POINT NOT NULL column: STATISTICS.SUB_PART says 32, which is bogus
-- (SHOW CREATE TABLE has no prefix).
CREATE TABLE places (
  id INT NOT NULL PRIMARY KEY,
  pt POINT NOT NULL,
  area POLYGON NULL,
  SPATIAL INDEX sp_pt (pt)
) ENGINE=InnoDB;

-- A sequence: INFORMATION_SCHEMA.TABLES says TABLE_TYPE 'SEQUENCE'.
CREATE SEQUENCE s1;
CREATE SEQUENCE s2 START WITH 100 INCREMENT BY 10 CACHE 5;

-- System versioning, implicit (hidden ROW_START/ROW_END) and explicit (visible row start/end
-- columns and a PERIOD FOR SYSTEM_TIME). TABLE_TYPE is 'SYSTEM VERSIONED'.
CREATE TABLE versioned_implicit (
  id INT NOT NULL PRIMARY KEY,
  v VARCHAR(10) NULL
) WITH SYSTEM VERSIONING;

CREATE TABLE versioned_explicit (
  id INT NOT NULL PRIMARY KEY,
  v VARCHAR(10) NULL,
  row_start TIMESTAMP(6) GENERATED ALWAYS AS ROW START INVISIBLE,
  row_end TIMESTAMP(6) GENERATED ALWAYS AS ROW END,
  PERIOD FOR SYSTEM_TIME (row_start, row_end)
) WITH SYSTEM VERSIONING;

-- Invisible columns, JSON (LONGTEXT with a json_valid() CHECK named after the column), generated
-- columns, MariaDB-only types, a FULLTEXT index, a long UNIQUE (USING HASH), a descending index
-- and column-level and table-level CHECKs.
CREATE TABLE features (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  secret INT NOT NULL DEFAULT 7 INVISIBLE,
  doc JSON NULL,
  title VARCHAR(200) NOT NULL,
  body TEXT NULL,
  price DECIMAL(8,2) NOT NULL DEFAULT 0.00 CHECK (price >= 0),
  qty INT NOT NULL DEFAULT 1 CHECK (qty > 0),
  total DECIMAL(12,2) AS (price * qty) VIRTUAL COMMENT 'price (each) times qty',
  total_stored DECIMAL(12,2) AS (price * qty) PERSISTENT,
  title_upper VARCHAR(200) GENERATED ALWAYS AS (upper(title)) STORED,
  title_note VARCHAR(250) AS (concat(title, 'it''s \\ a\nb')) VIRTUAL,
  u UUID NULL,
  ip6 INET6 NULL,
  ip4 INET4 NULL,
  big_text MEDIUMTEXT NULL,
  added DATETIME(3) NOT NULL DEFAULT current_timestamp(3),
  PRIMARY KEY (id),
  FULLTEXT INDEX ft_title_body (title, body),
  UNIQUE KEY uq_big_text (big_text),
  INDEX ix_desc (added DESC, title),
  INDEX ix_prefix (title(10)),
  INDEX ix_desc_prefix (id DESC, title(5) DESC) COMMENT 'index ''comment''',
  CONSTRAINT ck_title_not_blank CHECK (title <> ''),
  CONSTRAINT `ck ``tick``` CHECK (title <> 'a\nb'),
  CHECK (price < 1000000)
) COMMENT 'features';

-- Foreign keys: a composite one and a self-referencing one, with actions.
CREATE TABLE parent (
  tenant_id INT NOT NULL,
  seq INT NOT NULL,
  name VARCHAR(20) NOT NULL,
  PRIMARY KEY (tenant_id, seq),
  UNIQUE KEY uq_parent_name (tenant_id, name)
);

CREATE TABLE child (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  tenant_id INT NOT NULL,
  parent_seq INT NULL,
  manager_id INT NULL,
  CONSTRAINT fk_child_parent FOREIGN KEY (tenant_id, parent_seq)
    REFERENCES parent (tenant_id, seq) ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT fk_child_manager FOREIGN KEY (manager_id)
    REFERENCES child (id) ON DELETE SET NULL ON UPDATE RESTRICT
);

-- A foreign key into another database.
CREATE TABLE cross_db (
  id INT NOT NULL PRIMARY KEY,
  remote_id INT NULL,
  CONSTRAINT fk_cross_db FOREIGN KEY (remote_id) REFERENCES mariadb_features_other.remote (id)
    ON DELETE CASCADE
);

-- Partitioned.
CREATE TABLE measurements (
  id INT NOT NULL,
  taken DATE NOT NULL,
  value DOUBLE NULL,
  PRIMARY KEY (id, taken)
) PARTITION BY RANGE (YEAR(taken)) (
  PARTITION p2020 VALUES LESS THAN (2021),
  PARTITION p2021 VALUES LESS THAN (2022),
  PARTITION pmax VALUES LESS THAN MAXVALUE
);

-- Quirky identifiers: spaces, backticks, non-ASCII, reserved words, and keys and a foreign key
-- on them.
CREATE TABLE `odd name` (
  `id col` INT NOT NULL,
  `back``tick` INT NOT NULL DEFAULT 0,
  `naïve col` VARCHAR(10) NULL COMMENT 'naïve',
  `select` INT NULL,
  `MixedCase` INT NULL,
  PRIMARY KEY (`id col`),
  UNIQUE KEY `uq ``tick``` (`back``tick`),
  INDEX `ix naïve` (`naïve col`, `select`)
);

CREATE TABLE `tick``table` (
  id INT NOT NULL PRIMARY KEY,
  `odd id` INT NULL,
  CONSTRAINT `fk ``odd``` FOREIGN KEY (`odd id`) REFERENCES `odd name` (`id col`)
    ON DELETE NO ACTION
);

CREATE TABLE `référence` (
  id INT NOT NULL PRIMARY KEY,
  tick_id INT NULL,
  CONSTRAINT fk_to_tick FOREIGN KEY (tick_id) REFERENCES `tick``table` (id)
);

-- LIKE wildcards in names, and a view whose columns are a constant and NULL (binary(0)).
CREATE TABLE `per%cent_t_x` (id INT NOT NULL PRIMARY KEY);
CREATE VIEW `v%constants` AS SELECT 1 AS one, 'x' AS s, NULL AS nothing, id FROM `per%cent_t_x`;
