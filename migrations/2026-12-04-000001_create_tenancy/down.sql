DROP TABLE findings;
DROP TABLE tenant_status_changes;
DROP TABLE regions;
DROP TABLE tenants;
DROP TABLE domains;
DROP TABLE workspaces;
