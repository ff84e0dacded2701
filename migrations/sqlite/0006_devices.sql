-- 0006_devices: paired devices, pairing requests and device tokens of the OpenClaw WebSocket protocol
-- (issue #4, reference §2.2).
--
-- tenant_id is not a foreign key to tenants: a device may connect for an authenticated tenant before an
-- administrator created its tenants row; every query is tenant-scoped. Scopes are stored as a JSON
-- array of strings (sorted, unique). Device tokens are stored only as the lower-case hex SHA-256 of the
-- token; the plaintext is shown once (hello-ok auth.deviceToken, device.token.rotate).

CREATE TABLE paired_devices (
    tenant_id     TEXT    NOT NULL,
    device_id     TEXT    NOT NULL,
    public_key    TEXT    NOT NULL,
    role          TEXT    NOT NULL,
    scopes        TEXT    NOT NULL DEFAULT '[]',
    client_id     TEXT    NOT NULL DEFAULT '',
    client_mode   TEXT    NOT NULL DEFAULT '',
    platform      TEXT    NOT NULL DEFAULT '',
    device_family TEXT    NOT NULL DEFAULT '',
    display_name  TEXT    NOT NULL DEFAULT '',
    paired_at     INTEGER NOT NULL,
    last_seen     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, device_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX idx_paired_devices_paired_at ON paired_devices (tenant_id, paired_at DESC);

CREATE TABLE device_pairing_requests (
    tenant_id     TEXT    NOT NULL,
    id            TEXT    NOT NULL,
    device_id     TEXT    NOT NULL,
    public_key    TEXT    NOT NULL,
    role          TEXT    NOT NULL,
    scopes        TEXT    NOT NULL DEFAULT '[]',
    client_id     TEXT    NOT NULL DEFAULT '',
    client_mode   TEXT    NOT NULL DEFAULT '',
    platform      TEXT    NOT NULL DEFAULT '',
    device_family TEXT    NOT NULL DEFAULT '',
    display_name  TEXT    NOT NULL DEFAULT '',
    remote_ip     TEXT    NOT NULL DEFAULT '',
    reason        TEXT    NOT NULL,
    status        TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    created_at    INTEGER NOT NULL,
    resolved_at   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id)
) STRICT;

-- One pending request per (tenant, device): a repeated connect updates it instead of adding another.
CREATE UNIQUE INDEX uq_device_pairing_requests_pending ON device_pairing_requests (tenant_id, device_id)
    WHERE status = 'pending';
CREATE INDEX idx_device_pairing_requests_created ON device_pairing_requests (tenant_id, created_at DESC);

CREATE TABLE device_tokens (
    tenant_id    TEXT    NOT NULL,
    id           TEXT    NOT NULL,
    device_id    TEXT    NOT NULL,
    role         TEXT    NOT NULL,
    scopes       TEXT    NOT NULL DEFAULT '[]',
    token_sha256 TEXT    NOT NULL CHECK (length(token_sha256) = 64),
    issued_at    INTEGER NOT NULL,
    revoked_at   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, token_sha256)
) STRICT;

CREATE INDEX idx_device_tokens_device ON device_tokens (tenant_id, device_id, role) WHERE revoked_at = 0;
