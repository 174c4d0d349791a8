-- MySQL / MariaDB layout of the Alfresco tables alfwipe reads, the same tables as
-- sql/pg/schema.sql laid out the way Alfresco's MySQLInnoDBDialect create scripts do it
-- (ACS 7.1 and later, schema 15001..21200). Test and sample databases only; alfwipe never
-- creates tables.
--
-- What differs from PostgreSQL, on purpose (alfresco-facts §2.15):
-- - BIGINT AUTO_INCREMENT ids instead of sequences; INTEGER for INT4; BIT for BOOL; BLOB for
--   BYTEA; DATETIME for TIMESTAMP; TEXT for alf_applied_patch's long VARCHARs.
-- - alf_node_properties.string_value is TEXT, indexed on its first 42 characters.
-- - idx_alf_conturl_sz is (content_size) only; alf_node's mdq/cor/crd/mor/mod indexes have no
--   trailing id; idx_alf_nprop_s/_l/_b/_f/_d have no node_id.
-- - Every table ENGINE=InnoDB and, like Alfresco's scripts, no character set or collation:
--   the database default applies, which may well be case-insensitive (utf8mb4_general_ci).
--   alfwipe compares content URLs byte-wise, so its results must not depend on it.

-- alf_applied_patch: one row per schema patch; applied_to_schema gives the schema history.
CREATE TABLE alf_applied_patch
(
    id VARCHAR(64) NOT NULL,
    description TEXT,
    fixes_from_schema INTEGER,
    fixes_to_schema INTEGER,
    applied_to_schema INTEGER,
    target_schema INTEGER,
    applied_on_date DATETIME,
    applied_to_server VARCHAR(64),
    was_executed BIT,
    succeeded BIT,
    report TEXT,
    PRIMARY KEY (id)
) ENGINE=InnoDB;

CREATE TABLE alf_locale
(
    id BIGINT NOT NULL AUTO_INCREMENT,
    version BIGINT NOT NULL,
    locale_str VARCHAR(20) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY locale_str (locale_str)
) ENGINE=InnoDB;

CREATE TABLE alf_namespace
(
    id BIGINT NOT NULL AUTO_INCREMENT,
    version BIGINT NOT NULL,
    uri VARCHAR(100) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uri (uri)
) ENGINE=InnoDB;

CREATE TABLE alf_qname
(
    id BIGINT NOT NULL AUTO_INCREMENT,
    version BIGINT NOT NULL,
    ns_id BIGINT NOT NULL,
    local_name VARCHAR(200) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY ns_id (ns_id, local_name),
    CONSTRAINT fk_alf_qname_ns FOREIGN KEY (ns_id) REFERENCES alf_namespace (id)
) ENGINE=InnoDB;

-- The node table's acl_id refers to these; kept minimal but with Alfresco's keys so the
-- foreign key fk_alf_node_acl exists as in a real database. The (..., id) indexes come from
-- the generic 6.0 change-set index patch.
CREATE TABLE alf_acl_change_set
(
    id BIGINT NOT NULL AUTO_INCREMENT,
    commit_time_ms BIGINT,
    PRIMARY KEY (id),
    KEY idx_alf_acs_ctms (commit_time_ms, id)
) ENGINE=InnoDB;

CREATE TABLE alf_access_control_list
(
    id BIGINT NOT NULL AUTO_INCREMENT,
    version BIGINT NOT NULL,
    acl_id VARCHAR(36) NOT NULL,
    latest BIT NOT NULL,
    acl_version BIGINT NOT NULL,
    inherits BIT NOT NULL,
    inherits_from BIGINT,
    type INTEGER NOT NULL,
    inherited_acl BIGINT,
    is_versioned BIT NOT NULL,
    requires_version BIT NOT NULL,
    acl_change_set BIGINT,
    PRIMARY KEY (id),
    UNIQUE KEY acl_id (acl_id, latest, acl_version),
    KEY idx_alf_acl_inh (inherits, inherits_from),
    KEY fk_alf_acl_acs (acl_change_set),
    KEY idx_alf_acl_acs (acl_change_set, id),
    CONSTRAINT fk_alf_acl_acs FOREIGN KEY (acl_change_set) REFERENCES alf_acl_change_set (id)
) ENGINE=InnoDB;

-- alf_transaction: no server_id since 7.1 (patch.db-V7.1.0-remove-alf_server-table).
CREATE TABLE alf_transaction
(
    id BIGINT NOT NULL AUTO_INCREMENT,
    version BIGINT NOT NULL,
    change_txn_id VARCHAR(56) NOT NULL,
    commit_time_ms BIGINT,
    PRIMARY KEY (id),
    KEY idx_alf_txn_ctms (commit_time_ms, id),
    KEY idx_alf_txn_ctms_sc (commit_time_ms),
    KEY idx_alf_txn_id_ctms (id, commit_time_ms)
) ENGINE=InnoDB;

CREATE TABLE alf_store
(
    id BIGINT NOT NULL AUTO_INCREMENT,
    version BIGINT NOT NULL,
    protocol VARCHAR(50) NOT NULL,
    identifier VARCHAR(100) NOT NULL,
    root_node_id BIGINT,
    PRIMARY KEY (id),
    UNIQUE KEY protocol (protocol, identifier)
) ENGINE=InnoDB;

-- alf_node without node_deleted (the 4.1-SP/4.2 NodeDeleted layout): deleted nodes are
-- sys:deleted rows. The metadata-query indexes end without the id PostgreSQL adds.
CREATE TABLE alf_node
(
    id BIGINT NOT NULL AUTO_INCREMENT,
    version BIGINT NOT NULL,
    store_id BIGINT NOT NULL,
    uuid VARCHAR(36) NOT NULL,
    transaction_id BIGINT NOT NULL,
    type_qname_id BIGINT NOT NULL,
    locale_id BIGINT NOT NULL,
    acl_id BIGINT,
    audit_creator VARCHAR(255),
    audit_created VARCHAR(30),
    audit_modifier VARCHAR(255),
    audit_modified VARCHAR(30),
    audit_accessed VARCHAR(30),
    PRIMARY KEY (id),
    UNIQUE KEY store_id (store_id, uuid),
    KEY idx_alf_node_txn_type (transaction_id, type_qname_id),
    KEY fk_alf_node_acl (acl_id),
    KEY fk_alf_node_store (store_id),
    KEY idx_alf_node_tqn (type_qname_id, store_id, id),
    KEY fk_alf_node_loc (locale_id),
    KEY idx_alf_node_mdq (store_id, type_qname_id),
    KEY idx_alf_node_cor (audit_creator, store_id, type_qname_id),
    KEY idx_alf_node_crd (audit_created, store_id, type_qname_id),
    KEY idx_alf_node_mor (audit_modifier, store_id, type_qname_id),
    KEY idx_alf_node_mod (audit_modified, store_id, type_qname_id),
    KEY idx_alf_node_ver (version),
    KEY idx_alf_node_txn (transaction_id),
    CONSTRAINT fk_alf_node_acl FOREIGN KEY (acl_id) REFERENCES alf_access_control_list (id),
    CONSTRAINT fk_alf_node_store FOREIGN KEY (store_id) REFERENCES alf_store (id),
    CONSTRAINT fk_alf_node_tqn FOREIGN KEY (type_qname_id) REFERENCES alf_qname (id),
    CONSTRAINT fk_alf_node_txn FOREIGN KEY (transaction_id) REFERENCES alf_transaction (id),
    CONSTRAINT fk_alf_node_loc FOREIGN KEY (locale_id) REFERENCES alf_locale (id)
) ENGINE=InnoDB;

-- alf_store and alf_node refer to each other: the store's root node key comes last.
ALTER TABLE alf_store
    ADD INDEX fk_alf_store_root (root_node_id),
    ADD CONSTRAINT fk_alf_store_root FOREIGN KEY (root_node_id) REFERENCES alf_node (id);

CREATE TABLE alf_child_assoc
(
    id BIGINT NOT NULL AUTO_INCREMENT,
    version BIGINT NOT NULL,
    parent_node_id BIGINT NOT NULL,
    type_qname_id BIGINT NOT NULL,
    child_node_name_crc BIGINT NOT NULL,
    child_node_name VARCHAR(50) NOT NULL,
    child_node_id BIGINT NOT NULL,
    qname_ns_id BIGINT NOT NULL,
    qname_localname VARCHAR(255) NOT NULL,
    qname_crc BIGINT NOT NULL,
    is_primary BIT,
    assoc_index INTEGER,
    PRIMARY KEY (id),
    UNIQUE KEY parent_node_id
        (parent_node_id, type_qname_id, child_node_name_crc, child_node_name),
    KEY idx_alf_cass_pnode (parent_node_id, assoc_index, id),
    KEY fk_alf_cass_cnode (child_node_id),
    KEY fk_alf_cass_tqn (type_qname_id),
    KEY fk_alf_cass_qnns (qname_ns_id),
    KEY idx_alf_cass_qncrc (qname_crc, type_qname_id, parent_node_id),
    KEY idx_alf_cass_pri (parent_node_id, is_primary, child_node_id),
    CONSTRAINT fk_alf_cass_cnode FOREIGN KEY (child_node_id) REFERENCES alf_node (id),
    CONSTRAINT fk_alf_cass_pnode FOREIGN KEY (parent_node_id) REFERENCES alf_node (id),
    CONSTRAINT fk_alf_cass_qnns FOREIGN KEY (qname_ns_id) REFERENCES alf_namespace (id),
    CONSTRAINT fk_alf_cass_tqn FOREIGN KEY (type_qname_id) REFERENCES alf_qname (id)
) ENGINE=InnoDB;

CREATE TABLE alf_node_aspects
(
    node_id BIGINT NOT NULL,
    qname_id BIGINT NOT NULL,
    PRIMARY KEY (node_id, qname_id),
    KEY fk_alf_nasp_n (node_id),
    KEY fk_alf_nasp_qn (qname_id),
    CONSTRAINT fk_alf_nasp_n FOREIGN KEY (node_id) REFERENCES alf_node (id),
    CONSTRAINT fk_alf_nasp_qn FOREIGN KEY (qname_id) REFERENCES alf_qname (id)
) ENGINE=InnoDB;

-- Property values: actual_type_n / persisted_type_n are NodePropertyValue type codes
-- (21/3 = content data id in long_value; 6/6 = string; 7/6 = date as ISO-8601 string).
-- string_value is TEXT here: on InnoDB long strings stay strings instead of becoming
-- serializable values as they do above 1024 characters on PostgreSQL.
CREATE TABLE alf_node_properties
(
    node_id BIGINT NOT NULL,
    actual_type_n INTEGER NOT NULL,
    persisted_type_n INTEGER NOT NULL,
    boolean_value BIT,
    long_value BIGINT,
    float_value FLOAT,
    double_value DOUBLE PRECISION,
    string_value TEXT,
    serializable_value BLOB,
    qname_id BIGINT NOT NULL,
    list_index INTEGER NOT NULL,
    locale_id BIGINT NOT NULL,
    PRIMARY KEY (node_id, qname_id, list_index, locale_id),
    KEY fk_alf_nprop_n (node_id),
    KEY fk_alf_nprop_qn (qname_id),
    KEY fk_alf_nprop_loc (locale_id),
    KEY idx_alf_nprop_s (qname_id, string_value(42)),
    KEY idx_alf_nprop_l (qname_id, long_value),
    KEY idx_alf_nprop_b (qname_id, boolean_value),
    KEY idx_alf_nprop_f (qname_id, float_value),
    KEY idx_alf_nprop_d (qname_id, double_value),
    CONSTRAINT fk_alf_nprop_loc FOREIGN KEY (locale_id) REFERENCES alf_locale (id),
    CONSTRAINT fk_alf_nprop_n FOREIGN KEY (node_id) REFERENCES alf_node (id),
    CONSTRAINT fk_alf_nprop_qn FOREIGN KEY (qname_id) REFERENCES alf_qname (id)
) ENGINE=InnoDB;

CREATE TABLE alf_mimetype
(
    id BIGINT NOT NULL AUTO_INCREMENT,
    version BIGINT NOT NULL,
    mimetype_str VARCHAR(100) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (mimetype_str)
) ENGINE=InnoDB;

CREATE TABLE alf_encoding
(
    id BIGINT NOT NULL AUTO_INCREMENT,
    version BIGINT NOT NULL,
    encoding_str VARCHAR(100) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (encoding_str)
) ENGINE=InnoDB;

-- alf_content_url: orphan_time is milliseconds since the epoch (NULL = not marked, 0 = kept
-- after a failed delete). content_url_short = last 12 characters of the lower-cased URL,
-- content_url_crc = unsigned CRC-32 of the URL's UTF-8 bytes. No foreign keys. Under a
-- case-insensitive default collation two URLs that differ only in case are still two rows
-- (their CRCs differ), but 'AbC' = 'abc' holds for the column: compare it as BINARY.
CREATE TABLE alf_content_url
(
    id BIGINT NOT NULL AUTO_INCREMENT,
    content_url VARCHAR(255) NOT NULL,
    content_url_short VARCHAR(12) NOT NULL,
    content_url_crc BIGINT NOT NULL,
    content_size BIGINT NOT NULL,
    orphan_time BIGINT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY idx_alf_conturl_cr (content_url_short, content_url_crc),
    KEY idx_alf_conturl_ot (orphan_time),
    KEY idx_alf_conturl_sz (content_size)
) ENGINE=InnoDB;

-- alf_content_data: one row per content property value; rows are never shared between
-- nodes, alf_content_url rows are. As in Alfresco's script the foreign keys get no declared
-- index: InnoDB creates one per key, named after the constraint (as PostgreSQL's are).
CREATE TABLE alf_content_data
(
    id BIGINT NOT NULL AUTO_INCREMENT,
    version BIGINT NOT NULL,
    content_url_id BIGINT NULL,
    content_mimetype_id BIGINT NULL,
    content_encoding_id BIGINT NULL,
    content_locale_id BIGINT NULL,
    PRIMARY KEY (id),
    CONSTRAINT fk_alf_cont_url FOREIGN KEY (content_url_id) REFERENCES alf_content_url (id),
    CONSTRAINT fk_alf_cont_mim FOREIGN KEY (content_mimetype_id) REFERENCES alf_mimetype (id),
    CONSTRAINT fk_alf_cont_enc FOREIGN KEY (content_encoding_id) REFERENCES alf_encoding (id),
    CONSTRAINT fk_alf_cont_loc FOREIGN KEY (content_locale_id) REFERENCES alf_locale (id)
) ENGINE=InnoDB;

-- alf_content_url_encryption (5.0, patch.db-V5.0-ContentUrlEncryptionTables): filled only by
-- the Enterprise encrypted store; its rows go with their URL row (ON DELETE CASCADE).
CREATE TABLE alf_content_url_encryption
(
    id BIGINT NOT NULL AUTO_INCREMENT,
    content_url_id BIGINT NOT NULL,
    algorithm VARCHAR(10) NOT NULL,
    key_size INTEGER NOT NULL,
    encrypted_key BLOB NOT NULL,
    master_keystore_id VARCHAR(20) NOT NULL,
    master_key_alias VARCHAR(15) NOT NULL,
    unencrypted_file_size BIGINT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY idx_alf_cont_enc_url (content_url_id),
    KEY idx_alf_cont_enc_mka (master_key_alias),
    CONSTRAINT fk_alf_cont_enc_url FOREIGN KEY (content_url_id)
        REFERENCES alf_content_url (id) ON DELETE CASCADE
) ENGINE=InnoDB;

-- alf_tenant: rows only in multi-tenant installations.
CREATE TABLE alf_tenant
(
    tenant_domain VARCHAR(75) NOT NULL,
    version BIGINT NOT NULL,
    enabled BIT NOT NULL,
    tenant_name VARCHAR(75),
    content_root VARCHAR(255),
    db_url VARCHAR(255),
    PRIMARY KEY (tenant_domain)
) ENGINE=InnoDB;
