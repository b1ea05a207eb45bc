//! Diesel's view of the tables created by `migrations/`.

diesel::table! {
    workspaces (id) {
        id -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    domains (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        name -> Text,
        region -> Text,
        state -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    tenants (id) {
        id -> Int8,
        workspace_id -> Uuid,
        region -> Text,
        name -> Text,
        configuration_set_name -> Text,
        arn -> Nullable<Text>,
        provisioning_state -> Text,
        sending_status -> Text,
        last_checked_at -> Nullable<Timestamptz>,
        next_refresh_at -> Timestamptz,
        provisioning_step -> Text,
        generation -> Int8,
        needs_work -> Bool,
        next_attempt_at -> Timestamptz,
        attempts -> Int4,
        last_error -> Nullable<Text>,
        lease_token -> Nullable<Uuid>,
        lease_until -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    regions (region) {
        region -> Text,
        vdm_enabled_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    tenant_status_changes (id) {
        id -> Int8,
        tenant_id -> Int8,
        from_status -> Nullable<Text>,
        to_status -> Text,
        observed_at -> Timestamptz,
    }
}

diesel::table! {
    findings (id) {
        id -> Int8,
        tenant_id -> Int8,
        finding_type -> Text,
        severity -> Text,
        rate -> Nullable<Float8>,
        threshold -> Nullable<Float8>,
        message -> Text,
        detected_at -> Timestamptz,
        updated_at -> Timestamptz,
        resolved_at -> Nullable<Timestamptz>,
    }
}

diesel::joinable!(domains -> workspaces (workspace_id));
diesel::joinable!(tenants -> workspaces (workspace_id));
diesel::joinable!(tenant_status_changes -> tenants (tenant_id));
diesel::joinable!(findings -> tenants (tenant_id));
diesel::allow_tables_to_appear_in_same_query!(
    workspaces,
    domains,
    tenants,
    tenant_status_changes,
    findings,
    regions
);
