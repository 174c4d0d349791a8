-- The rows of sql/pg/bootstrap.sql for MySQL/MariaDB: the same statements, the same ids and
-- values, line for line, except this header and the block marked mysql-only at the end
-- (AUTO_INCREMENT positions in place of PostgreSQL's sequence positions). Load it after
-- sql/mysql/schema.sql. tests/integration/t_db_mysql.py checks that the statements of both
-- files stay identical.
-- Namespaces
INSERT INTO alf_namespace (id, version, uri)
    VALUES (11, 1, 'http://www.alfresco.org/model/system/1.0');
INSERT INTO alf_namespace (id, version, uri)
    VALUES (12, 1, 'http://www.alfresco.org/model/content/1.0');
INSERT INTO alf_namespace (id, version, uri)
    VALUES (13, 1, 'http://www.alfresco.org/model/dictionary/1.0');
INSERT INTO alf_namespace (id, version, uri)
    VALUES (14, 1, 'http://www.alfresco.org/model/rendition/1.0');
INSERT INTO alf_namespace (id, version, uri)
    VALUES (15, 1, 'http://www.alfresco.org/model/versionstore/2.0');
INSERT INTO alf_namespace (id, version, uri)
    VALUES (16, 1, 'http://www.alfresco.org/model/recordsmanagement/1.0');
INSERT INTO alf_namespace (id, version, uri)
    VALUES (17, 1, 'http://www.alfresco.org/model/recordableversion/1.0');
INSERT INTO alf_namespace (id, version, uri)
    VALUES (18, 1, 'http://www.alfresco.org/model/application/1.0');
INSERT INTO alf_namespace (id, version, uri)
    VALUES (19, 1, 'http://www.alfresco.org/model/user/1.0');

-- QNames (one row serves a name as type, aspect, property and association alike)
-- sys:
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (101, 0, 11, 'store_root');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (102, 0, 11, 'aspect_root');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (103, 0, 11, 'referenceable');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (104, 0, 11, 'localized');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (105, 0, 11, 'deleted');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (106, 0, 11, 'originalId');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (107, 0, 11, 'archived');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (108, 0, 11, 'archivedDate');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (109, 0, 11, 'archivedBy');
INSERT INTO alf_qname (id, version, ns_id, local_name)
    VALUES (110, 0, 11, 'archivedOriginalParentAssoc');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (111, 0, 11, 'archivedOriginalOwner');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (112, 0, 11, 'archived-assocs');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (113, 0, 11, 'children');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (114, 0, 11, 'archivedItem');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (115, 0, 11, 'archiveRoot');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (116, 0, 11, 'archiveUser');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (117, 0, 11, 'archiveUserLink');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (118, 0, 11, 'archivedLink');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (119, 0, 11, 'temporary');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (120, 0, 11, 'hidden');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (121, 0, 11, 'undeletable');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (122, 0, 11, 'pendingDelete');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (123, 0, 11, 'versionEdition');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (124, 0, 11, 'versionProperties');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (125, 0, 11, 'keyStore');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (126, 0, 11, 'container');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (127, 0, 11, 'cascadeUpdate');
-- cm:
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (128, 0, 12, 'content');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (129, 0, 12, 'name');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (130, 0, 12, 'folder');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (131, 0, 12, 'contains');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (132, 0, 12, 'auditable');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (133, 0, 12, 'titled');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (134, 0, 12, 'title');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (135, 0, 12, 'description');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (136, 0, 12, 'versionable');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (137, 0, 12, 'versionLabel');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (138, 0, 12, 'owner');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (139, 0, 12, 'ownable');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (140, 0, 12, 'author');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (141, 0, 12, 'thumbnail');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (142, 0, 12, 'failedThumbnail');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (143, 0, 12, 'workingcopy');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (144, 0, 12, 'persondescription');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (145, 0, 12, 'tagScopeCache');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (146, 0, 12, 'preferenceValues');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (147, 0, 12, 'person');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (148, 0, 12, 'userName');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (149, 0, 12, 'cmobject');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (150, 0, 12, 'autoVersion');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (151, 0, 12, 'initialVersion');
-- rn:
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (152, 0, 14, 'renditioned');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (153, 0, 14, 'rendition');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (154, 0, 14, 'rendition2');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (155, 0, 14, 'hiddenRendition');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (156, 0, 14, 'visibleRendition');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (157, 0, 14, 'contentUrlHashCode');
-- ver2:
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (158, 0, 15, 'versionStoreRoot');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (159, 0, 15, 'versionHistory');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (160, 0, 15, 'version');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (161, 0, 15, 'versionedNodeId');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (162, 0, 15, 'frozenNodeRef');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (163, 0, 15, 'frozenNodeDbId');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (164, 0, 15, 'versionLabel');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (165, 0, 15, 'versionDescription');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (166, 0, 15, 'frozenCreated');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (167, 0, 15, 'frozenCreator');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (168, 0, 15, 'frozenModified');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (169, 0, 15, 'frozenModifier');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (170, 0, 15, 'frozenAccessed');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (171, 0, 15, 'versionedAssocs');
-- rma:
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (172, 0, 16, 'record');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (173, 0, 16, 'declaredRecord');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (174, 0, 16, 'ghosted');
INSERT INTO alf_qname (id, version, ns_id, local_name)
    VALUES (175, 0, 16, 'recordComponentIdentifier');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (176, 0, 16, 'identifier');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (177, 0, 16, 'cutOff');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (178, 0, 16, 'frozen');
INSERT INTO alf_qname (id, version, ns_id, local_name)
    VALUES (179, 0, 16, 'dispositionActionGhostOnDestroy');
-- rmv:
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (180, 0, 17, 'recordedVersion');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (181, 0, 17, 'recordNodeRef');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (182, 0, 17, 'frozenOwner');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (183, 0, 17, 'destroyed');
-- usr:
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (184, 0, 19, 'user');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (185, 0, 19, 'users');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (186, 0, 19, 'enabled');
-- app:
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (187, 0, 18, 'uifacets');
INSERT INTO alf_qname (id, version, ns_id, local_name) VALUES (188, 0, 18, 'configurable');

-- Locales: '.default' is Alfresco's default locale row
INSERT INTO alf_locale (id, version, locale_str) VALUES (31, 0, '.default');
INSERT INTO alf_locale (id, version, locale_str) VALUES (32, 0, 'en_US_');

-- Mimetypes and encodings referenced by content data
INSERT INTO alf_mimetype (id, version, mimetype_str) VALUES (41, 0, 'application/octet-stream');
INSERT INTO alf_mimetype (id, version, mimetype_str) VALUES (42, 0, 'text/plain');
INSERT INTO alf_mimetype (id, version, mimetype_str) VALUES (43, 0, 'application/pdf');
INSERT INTO alf_mimetype (id, version, mimetype_str)
    VALUES (44, 0, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
INSERT INTO alf_mimetype (id, version, mimetype_str) VALUES (45, 0, 'image/png');
INSERT INTO alf_encoding (id, version, encoding_str) VALUES (51, 0, 'UTF-8');
INSERT INTO alf_encoding (id, version, encoding_str) VALUES (52, 0, 'ISO-8859-1');

-- The transaction that created the stores
INSERT INTO alf_transaction (id, version, change_txn_id, commit_time_ms)
    VALUES (501, 1, 'b1f3c0de-5a1e-4c1d-8f00-000000000501', 1609502400000);

-- Stores, in the order Alfresco bootstraps them; root_node_id is set once the root exists
INSERT INTO alf_store (id, version, protocol, identifier, root_node_id)
    VALUES (61, 1, 'user', 'alfrescoUserStore', NULL);
INSERT INTO alf_store (id, version, protocol, identifier, root_node_id)
    VALUES (62, 1, 'system', 'system', NULL);
INSERT INTO alf_store (id, version, protocol, identifier, root_node_id)
    VALUES (63, 1, 'workspace', 'version2Store', NULL);
INSERT INTO alf_store (id, version, protocol, identifier, root_node_id)
    VALUES (64, 1, 'archive', 'SpacesStore', NULL);
INSERT INTO alf_store (id, version, protocol, identifier, root_node_id)
    VALUES (65, 1, 'workspace', 'SpacesStore', NULL);

-- Root nodes: type sys:store_root, aspect sys:aspect_root; the archive root also carries
-- sys:archiveRoot and the version store root ver2:versionStoreRoot
INSERT INTO alf_node (id, version, store_id, uuid, transaction_id, type_qname_id, locale_id, acl_id,
    audit_creator, audit_created, audit_modifier, audit_modified, audit_accessed)
    VALUES (1001, 1, 61, '6c3d9e0a-0b7e-4e52-9d4c-0c7a2f0f8a11', 501, 101, 31, NULL, NULL, NULL, NULL, NULL, NULL);
UPDATE alf_store SET root_node_id = 1001 WHERE id = 61;
INSERT INTO alf_node_aspects (node_id, qname_id) VALUES (1001, 102);
INSERT INTO alf_node (id, version, store_id, uuid, transaction_id, type_qname_id, locale_id, acl_id,
    audit_creator, audit_created, audit_modifier, audit_modified, audit_accessed)
    VALUES (1002, 1, 62, '1f0c9d2e-4b57-4a62-8b1f-3d2a7e6c9b22', 501, 101, 31, NULL, NULL, NULL, NULL, NULL, NULL);
UPDATE alf_store SET root_node_id = 1002 WHERE id = 62;
INSERT INTO alf_node_aspects (node_id, qname_id) VALUES (1002, 102);
INSERT INTO alf_node (id, version, store_id, uuid, transaction_id, type_qname_id, locale_id, acl_id,
    audit_creator, audit_created, audit_modifier, audit_modified, audit_accessed)
    VALUES (1003, 1, 63, '9a8b7c6d-2e3f-4a5b-9c8d-7e6f5a4b3c33', 501, 101, 31, NULL, NULL, NULL, NULL, NULL, NULL);
UPDATE alf_store SET root_node_id = 1003 WHERE id = 63;
INSERT INTO alf_node_aspects (node_id, qname_id) VALUES (1003, 102);
INSERT INTO alf_node_aspects (node_id, qname_id) VALUES (1003, 158);
INSERT INTO alf_node (id, version, store_id, uuid, transaction_id, type_qname_id, locale_id, acl_id,
    audit_creator, audit_created, audit_modifier, audit_modified, audit_accessed)
    VALUES (1004, 1, 64, '4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a744', 501, 101, 31, NULL, NULL, NULL, NULL, NULL, NULL);
UPDATE alf_store SET root_node_id = 1004 WHERE id = 64;
INSERT INTO alf_node_aspects (node_id, qname_id) VALUES (1004, 102);
INSERT INTO alf_node_aspects (node_id, qname_id) VALUES (1004, 115);
INSERT INTO alf_node (id, version, store_id, uuid, transaction_id, type_qname_id, locale_id, acl_id,
    audit_creator, audit_created, audit_modifier, audit_modified, audit_accessed)
    VALUES (1005, 1, 65, '0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c555', 501, 101, 31, NULL, NULL, NULL, NULL, NULL, NULL);
UPDATE alf_store SET root_node_id = 1005 WHERE id = 65;
INSERT INTO alf_node_aspects (node_id, qname_id) VALUES (1005, 102);

-- Schema history: rows the create scripts insert (applied_to_schema -1), patches found not
-- required at installation (schema 14002) and one applied by an upgrade to schema 21200.
INSERT INTO alf_applied_patch (id, description, fixes_from_schema, fixes_to_schema,
    applied_to_schema, target_schema, applied_on_date, applied_to_server, was_executed,
    succeeded, report)
    VALUES ('patch.db-V5.0-ContentUrlEncryptionTables', 'Manually executed script upgrade V5.0: Content Url Encryption Tables', 0, 8001, -1, 8002, '2021-01-01 12:00:00', 'UNKNOWN', TRUE, TRUE, 'Script completed');
INSERT INTO alf_applied_patch (id, description, fixes_from_schema, fixes_to_schema,
    applied_to_schema, target_schema, applied_on_date, applied_to_server, was_executed,
    succeeded, report)
    VALUES ('patch.db-V6.3-add-indexes-node-transaction', 'Manually executed script upgrade V6.3: indexes on alf_node and alf_transaction', 0, 14001, -1, 14002, '2021-01-01 12:00:00', 'UNKNOWN', TRUE, TRUE, 'Script completed');
INSERT INTO alf_applied_patch (id, description, fixes_from_schema, fixes_to_schema,
    applied_to_schema, target_schema, applied_on_date, applied_to_server, was_executed,
    succeeded, report)
    VALUES ('patch.db-V3.2-ContentTables2', 'Content URL tables: orphan time and unique URL index', 0, 3008, 14002, 3009, '2021-01-01 12:00:07', '10.0.0.5', FALSE, TRUE, 'not required at this schema');
INSERT INTO alf_applied_patch (id, description, fixes_from_schema, fixes_to_schema,
    applied_to_schema, target_schema, applied_on_date, applied_to_server, was_executed,
    succeeded, report)
    VALUES ('patch.db-V4.1-NodeDeleted', 'alf_node without node_deleted: deleted nodes become sys:deleted', 0, 6014, 14002, 6015, '2021-01-01 12:00:07', '10.0.0.5', FALSE, TRUE, 'not required at this schema');
INSERT INTO alf_applied_patch (id, description, fixes_from_schema, fixes_to_schema,
    applied_to_schema, target_schema, applied_on_date, applied_to_server, was_executed,
    succeeded, report)
    VALUES ('patch.db-V7.1.0-remove-alf_server-table', 'Drops alf_server and alf_transaction.server_id', 0, 15000, 21200, 15001, '2025-05-10 02:20:00', '10.0.0.7', TRUE, TRUE, 'Script completed');

-- BEGIN mysql-only: after the explicit ids above InnoDB continues from max(id) + 1 by itself;
-- empty tables start at the same offsets as PostgreSQL's sequences
ALTER TABLE alf_child_assoc AUTO_INCREMENT = 30001;
ALTER TABLE alf_content_url AUTO_INCREMENT = 70001;
ALTER TABLE alf_content_data AUTO_INCREMENT = 80001;
ALTER TABLE alf_content_url_encryption AUTO_INCREMENT = 20001;
ALTER TABLE alf_access_control_list AUTO_INCREMENT = 8001;
ALTER TABLE alf_acl_change_set AUTO_INCREMENT = 7001;
-- END mysql-only
