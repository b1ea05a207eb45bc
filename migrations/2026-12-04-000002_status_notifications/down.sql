DROP TRIGGER domains_truncated ON domains;
DROP TRIGGER domains_added_or_removed ON domains;
DROP TRIGGER domains_status_changed ON domains;
DROP TRIGGER tenants_truncated ON tenants;
DROP TRIGGER tenants_added_or_removed ON tenants;
DROP TRIGGER tenants_status_changed ON tenants;
DROP FUNCTION notify_workspace_status_changed();
