-- schema.sql — every table of the analytical database, created if missing.
-- Source tables follow the import contract (shared data-contract.md, v1);
-- columns after "-- derived" are computed at import. Enumerations are stored
-- as the contract's English codes; empty cells as NULL (= unknown).
-- Read by: courtwatch.storage.store.open_for_write (run at every batch job).

CREATE TABLE IF NOT EXISTS courts (
    court_id    VARCHAR PRIMARY KEY,  -- code used in case numbers, e.g. 浙0102
    name        VARCHAR,
    province    VARCHAR,
    level       VARCHAR,              -- basic | intermediate | high | supreme
    parent_id   VARCHAR               -- supervising court; NULL at the top
);

CREATE TABLE IF NOT EXISTS judges (
    judge_id    VARCHAR PRIMARY KEY,  -- pseudonymous staff code
    court_id    VARCHAR,
    name        VARCHAR,              -- personal data: masked in every view by default
    role        VARCHAR               -- judge | assistant | enforcement_officer
);

CREATE TABLE IF NOT EXISTS cases (
    case_id         VARCHAR PRIMARY KEY,  -- 案号, e.g. (2023)浙0102刑初123号
    court_id        VARCHAR,
    cause           VARCHAR,
    filed_on        DATE,
    closed_on       DATE,                 -- NULL = pending
    judge_id        VARCHAR,
    assignment      VARCHAR,              -- random | designated
    close_method    VARCHAR,
    prevailing_side VARCHAR,
    appeal_outcome  VARCHAR,
    extensions      INTEGER,
    claim_amount    DOUBLE,               -- yuan
    -- derived from case_id
    case_year       INTEGER,
    case_type       VARCHAR,              -- 刑初, 民终, 执, 执恢, …
    case_seq        BIGINT,
    case_kind       VARCHAR               -- criminal | civil | enforcement | administrative | other
);

CREATE TABLE IF NOT EXISTS defendants (
    defendant_id       VARCHAR PRIMARY KEY,
    case_id            VARCHAR,
    gender             VARCHAR,   -- audit only, never a detector input
    age                INTEGER,
    ethnicity          VARCHAR,   -- audit only, never a detector input
    local_resident     BOOLEAN,   -- audit only, never a detector input
    charge             VARCHAR,
    amount_involved    DOUBLE,
    injury_level       VARCHAR,
    drug_grams         DOUBLE,
    blood_alcohol      DOUBLE,
    surrender          BOOLEAN,
    confession         BOOLEAN,
    guilty_plea        BOOLEAN,
    meritorious        BOOLEAN,
    recidivist         BOOLEAN,
    prior_record       BOOLEAN,
    minor              BOOLEAN,
    accessory          BOOLEAN,
    attempted          BOOLEAN,
    restitution        BOOLEAN,
    forgiven           BOOLEAN,
    sentence_kind      VARCHAR,
    term_months        DOUBLE,
    probation          BOOLEAN,
    probation_months   DOUBLE,
    fine_yuan          DOUBLE,
    recommended_months DOUBLE,
    combined_term_months DOUBLE,  -- E2 (optional): 决定执行刑 after 刑法 §§69–71, 77, 86; = term_months if not combined
    drug_type          VARCHAR    -- E7 (optional): the drug drug_grams is of (heroin, opium, ketamine, …); NULL = v1 heroin equivalent
);

CREATE TABLE IF NOT EXISTS enforcement (
    case_id                 VARCHAR PRIMARY KEY,
    applicant_kind          VARCHAR,
    respondent_kind         VARCHAR,
    recovered_amount        DOUBLE,
    notice_on               DATE,
    report_order_on         DATE,
    restriction_order_on    DATE,
    dishonest_listed_on     DATE,
    online_inquiries        INTEGER,
    last_online_inquiry_on  DATE,
    onsite_investigation_on DATE,
    assets_found_value      DOUBLE,
    applicant_informed_on   DATE,
    respondent_missing      BOOLEAN,
    search_done_on          DATE,
    termination_basis       VARCHAR,  -- E3 (optional): standard | instalment_settlement | applicant_consent | hardship_relief
    assets_undisposable     BOOLEAN   -- E4 (optional): found property cannot be disposed of (法〔2016〕373号 art. 4)
);

CREATE TABLE IF NOT EXISTS events (
    case_id      VARCHAR,
    event        VARCHAR,
    occurred_at  TIMESTAMP,
    actor_id     VARCHAR,
    amount       DOUBLE,
    note         VARCHAR
);

CREATE TABLE IF NOT EXISTS representations (
    case_id   VARCHAR,
    side      VARCHAR,
    lawyer_id VARCHAR,
    firm_id   VARCHAR
);

-- One row per import run.
CREATE TABLE IF NOT EXISTS imports (
    import_id    VARCHAR PRIMARY KEY,
    imported_at  TIMESTAMP,
    folder       VARCHAR,
    export_date  DATE,        -- no date in the import may be later than this
    summary      JSON         -- {"tables": {name: {"read", "loaded", "quarantined"}}}
);

-- One row per file read by an import.
CREATE TABLE IF NOT EXISTS import_files (
    import_id    VARCHAR,
    table_name   VARCHAR,
    file         VARCHAR,
    file_sha256  VARCHAR,
    encoding     VARCHAR,
    rows_read    BIGINT,
    rows_loaded  BIGINT,
    rows_quarantined BIGINT
);

-- Every problem found in an imported row: the row is not loaded.
-- A row with several problems has several entries (one per column).
CREATE TABLE IF NOT EXISTS quarantine (
    import_id    VARCHAR,
    table_name   VARCHAR,
    file         VARCHAR,
    file_sha256  VARCHAR,
    row_number   BIGINT,     -- line of the row in a spreadsheet view: header = 1
    column_name  VARCHAR,    -- NULL when the problem is the whole row
    value        VARCHAR,    -- the raw text as read
    reason       VARCHAR,
    raw_row      VARCHAR     -- the whole row as read (JSON), so nothing is lost
);

-- One row per detection run.
CREATE TABLE IF NOT EXISTS runs (
    run_id           VARCHAR PRIMARY KEY,
    started_at       TIMESTAMP,
    finished_at      TIMESTAMP,
    as_of            DATE,      -- detection looks at the data as of this date, never the wall clock
    code_version     VARCHAR,
    config           JSON,
    data_fingerprint VARCHAR,
    flag_count       BIGINT
);

-- What each detector did in a run (so "no flags" and "could not run" differ).
CREATE TABLE IF NOT EXISTS run_detectors (
    run_id       VARCHAR,
    detector     VARCHAR,
    category     VARCHAR,
    status       VARCHAR,   -- ok | skipped (a needed table is empty) | failed
    flag_count   BIGINT,
    rows_skipped BIGINT,    -- rows lacking a field the detector needs (unknown is never read as false)
    seconds      DOUBLE,
    note         VARCHAR
);

-- Flags of every run; columns match the flags export (shared interfaces.md).
CREATE TABLE IF NOT EXISTS flags (
    flag_id      VARCHAR,
    run_id       VARCHAR,
    category     VARCHAR,
    detector     VARCHAR,
    subject_type VARCHAR,
    subject_id   VARCHAR,
    case_id      VARCHAR,
    judge_id     VARCHAR,
    court_id     VARCHAR,
    score        DOUBLE,
    level        VARCHAR,
    explanation  VARCHAR,
    evidence     JSON,
    PRIMARY KEY (run_id, flag_id)
);

-- Per case, a hash of its rows as the last run saw them: an incremental run
-- (`courtwatch detect --since`) scores the cases whose hash is new or changed.
-- Replaced whole by every run (record_case_fingerprints.sql), so no key: with a
-- PRIMARY KEY, emptying it took 6 s at scale 10.
CREATE TABLE IF NOT EXISTS case_fingerprints (
    case_id      VARCHAR,
    fingerprint  UBIGINT,
    run_id       VARCHAR
);

-- The fingerprints the last full run saw: an incremental run fits its case-level
-- models on the cases still unchanged since then (the reference period), so the
-- models move only when a scheduled full run moves the reference.
CREATE TABLE IF NOT EXISTS reference_fingerprints (
    case_id      VARCHAR,
    fingerprint  UBIGINT,
    run_id       VARCHAR
);

-- What a full run's case-level models keep for the incremental runs after it (DetectContext.keep_state):
-- per model and part (a peer group, a partition) its fitted state, so that a nightly run scores the new
-- and changed cases against the last full run's models instead of refitting them. Replaced whole by every
-- full run (only the latest full run's states are read). `arrays`: numpy's .npz of the state's arrays
-- (no pickled objects); `meta`: its other figures.
CREATE TABLE IF NOT EXISTS model_states (
    run_id       VARCHAR,
    model        VARCHAR,
    part         VARCHAR,
    arrays       BLOB,
    meta         JSON
);

-- Per-case figures of the same models (DetectContext.keep_case_values), e.g. every tested sentence's
-- p-value, the Benjamini–Hochberg family a new case joins. Replaced whole by every full run.
CREATE TABLE IF NOT EXISTS model_case_values (
    run_id       VARCHAR,
    model        VARCHAR,
    part         VARCHAR,
    case_id      VARCHAR,
    value        DOUBLE
);

-- Contract extensions E2–E4 (docs/import.md; databases made earlier gain the columns here, unknown).
ALTER TABLE defendants ADD COLUMN IF NOT EXISTS combined_term_months DOUBLE;
ALTER TABLE enforcement ADD COLUMN IF NOT EXISTS termination_basis VARCHAR;
ALTER TABLE enforcement ADD COLUMN IF NOT EXISTS assets_undisposable BOOLEAN;
-- E6 (time limits, docs/import.md): the procedure, the days not counted, who approved an event.
ALTER TABLE cases ADD COLUMN IF NOT EXISTS procedure VARCHAR;       -- ordinary | simplified | summary | small_claims | private_prosecution
ALTER TABLE cases ADD COLUMN IF NOT EXISTS deducted_days INTEGER;   -- 扣除审限 days; NULL = not recorded
ALTER TABLE events ADD COLUMN IF NOT EXISTS approver_id VARCHAR;    -- staff code of the approver (extensions)
-- E7 (docs/import.md): the drug a quantity is of.
ALTER TABLE defendants ADD COLUMN IF NOT EXISTS drug_type VARCHAR;  -- NULL: drug_grams is the heroin equivalent (v1)

-- Added with incremental runs and engines (databases made earlier gain them here).
ALTER TABLE runs ADD COLUMN IF NOT EXISTS mode VARCHAR;           -- full | incremental
ALTER TABLE runs ADD COLUMN IF NOT EXISTS since DATE;             -- incremental: the --since date
ALTER TABLE runs ADD COLUMN IF NOT EXISTS reference_run VARCHAR;  -- incremental: the run whose flags it carries
ALTER TABLE runs ADD COLUMN IF NOT EXISTS scored_cases BIGINT;    -- incremental: new or changed cases scored
ALTER TABLE runs ADD COLUMN IF NOT EXISTS engine VARCHAR;         -- duckdb | spark
-- the run whose sentencing review list this run shows: itself for a full run, the full run it builds on for an
-- incremental one (NULL: an older run, whose list, carried or its own, is under its own run_id)
ALTER TABLE runs ADD COLUMN IF NOT EXISTS review_run VARCHAR;

-- The sentencing review list of each run (detectors/sentencing/review.py): every testable custodial
-- sentence of a peer cell with at least [stats] review_min_cell sentences, ranked per court and year.
-- A review-budget aid (复核清单：按偏离程度排序，非预警、非认定), not flags: nothing here is a warning.
-- Scoped like flags (courtwatch/storage/store.py): a user sees their courts' rows, and the similar cases
-- of other courts without case number, defendant or court.
CREATE TABLE IF NOT EXISTS sentencing_review (
    run_id               VARCHAR,
    defendant_id         VARCHAR,
    case_id              VARCHAR,
    court_id             VARCHAR,
    judge_id             VARCHAR,
    period               INTEGER,   -- year of the judgment (cases.closed_on; the case-number year if none)
    rank_in_court_period INTEGER,   -- 1 = most deviant of this court and year (calibrated p, then |z|)
    p_calibrated         DOUBLE,    -- rank-based within the peer cell: (1 + peers with |z| ≥ this) / N
    z                    DOUBLE,    -- the model's standardised residual (detectors/sentencing/fit.py)
    ratio_to_expected    DOUBLE,    -- term / expected term
    expected_months      DOUBLE,    -- exp(fitted log term) from the legal factors
    term_months          DOUBLE,
    peer_group           VARCHAR,   -- the peer cell: one charge, or 数罪并罚
    peer_n               BIGINT,    -- testable sentences in the cell (the p-value's reference)
    peer_median_months   DOUBLE,
    peer_q25_months      DOUBLE,
    peer_q75_months      DOUBLE,
    peer_spread_log      DOUBLE,    -- the cell's robust residual spread, log units
    factors              VARCHAR,   -- the defendant's legal factors (top review_top_k of a court and year only)
    similar_cases        JSON       -- the legally most similar other cases (top review_top_k only, else NULL)
);  -- one row per (run_id, defendant_id); no key, as case_fingerprints: it grows by every scored sentence a run
