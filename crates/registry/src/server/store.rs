//! The registry's operations: validate a request against the state, write its record to the log, apply.
//!
//! One `std::sync::Mutex` guards state and log together, and no `.await` happens under it: a write is
//! decided, fsynced and applied as one step, so concurrent registrations of the same schema get the same
//! id and versions are dense. Registry writes are rare; serialising them costs nothing measurable.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use switchyard_schema::CompatibilityLevel;

use super::api_error::ApiError;
use super::log::{Log, LogError, Record};
use super::schema_rules::{check, find_version, prepare, registered};
use super::state::State;
use crate::types::{
    CompatibilityCheck, Mode, RegisterRequest, RegisteredSchema, SchemaString, SchemaType, SubjectVersion,
    VersionSpec,
};

/// State plus (optionally) the durable log.
#[derive(Debug)]
pub(crate) struct Store {
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Inner {
    state: State,
    log: Option<Log>,
}

impl Store {
    /// A store that forgets everything on drop (tests, throwaway registries).
    pub(crate) fn in_memory() -> Self {
        Self {
            inner: Mutex::new(Inner {
                state: State::default(),
                log: None,
            }),
        }
    }

    /// Open `dir`, replaying its log.
    pub(crate) fn open(dir: &Path) -> Result<Self, LogError> {
        let (log, records) = Log::open(dir)?;
        let mut state = State::default();
        for r in &records {
            state.apply(r);
        }
        tracing::info!(
            path = %log.path().display(),
            records = records.len(),
            subjects = state.subjects.len(),
            max_id = state.max_id,
            "registry state replayed"
        );
        Ok(Self {
            inner: Mutex::new(Inner {
                state,
                log: Some(log),
            }),
        })
    }

    fn lock(&self) -> Result<MutexGuard<'_, Inner>, ApiError> {
        self.inner
            .lock()
            .map_err(|_| ApiError::store("registry store lock poisoned by an earlier panic"))
    }

    /// Read-only access to the state.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&State) -> Result<T, ApiError>) -> Result<T, ApiError> {
        f(&self.lock()?.state)
    }

    // ---- reads ----

    pub(crate) fn subject_version(
        &self,
        subject: &str,
        spec: VersionSpec,
        deleted: bool,
    ) -> Result<RegisteredSchema, ApiError> {
        self.read(|st| {
            let (version, id) = find_version(st, subject, spec, deleted)?;
            Ok(registered(st, subject, version, id))
        })
    }

    pub(crate) fn schema_by_id(&self, id: i32) -> Result<SchemaString, ApiError> {
        self.read(|st| {
            let def = st.schemas.get(&id).filter(|_| !st.usages(id).is_empty());
            let def = def.ok_or_else(|| ApiError::schema_not_found(Some(id)))?;
            Ok(SchemaString {
                schema_type: def.schema_type,
                schema: def.schema.clone(),
                references: def.references.clone(),
            })
        })
    }

    pub(crate) fn id_versions(&self, id: i32, deleted: bool) -> Result<Vec<SubjectVersion>, ApiError> {
        self.read(|st| {
            let usages = st.usages(id);
            if usages.is_empty() {
                return Err(ApiError::schema_not_found(Some(id)));
            }
            Ok(usages
                .into_iter()
                .filter(|(_, _, d)| deleted || !d)
                .map(|(s, v, _)| SubjectVersion {
                    subject: s.to_string(),
                    version: v,
                })
                .collect())
        })
    }

    pub(crate) fn lookup(
        &self,
        subject: &str,
        req: &RegisterRequest,
        deleted: bool,
    ) -> Result<RegisteredSchema, ApiError> {
        let guard = self.lock()?;
        let st = &guard.state;
        let exists = st
            .subjects
            .get(subject)
            .is_some_and(|s| s.versions.values().any(|e| deleted || !e.deleted));
        if !exists {
            return Err(ApiError::subject_not_found(subject));
        }
        let prepared = prepare(st, req)?;
        let id = st.fingerprints.get(&prepared.fingerprint).copied();
        let hit = id.and_then(|id| {
            st.subjects[subject]
                .versions
                .iter()
                .rev()
                .find(|(_, e)| e.id == id && (deleted || !e.deleted))
        });
        match hit {
            Some((version, e)) => Ok(registered(st, subject, *version, e.id)),
            None => Err(ApiError::schema_not_found(None)),
        }
    }

    /// Confluent's `?normalize=true`: a JSON schema is rewritten with its object keys sorted, so schemas
    /// differing only in key order or whitespace are one schema. Other types are left as they are.
    pub(crate) fn normalized(&self, mut req: RegisterRequest) -> Result<RegisterRequest, ApiError> {
        if req.schema_type == SchemaType::Json {
            let guard = self.lock()?;
            if let Some(json) = prepare(&guard.state, &req)?.json {
                req.schema = json.normalized_text();
            }
        }
        Ok(req)
    }

    // ---- writes ----

    fn commit(inner: &mut Inner, record: Record) -> Result<(), ApiError> {
        if let Some(log) = inner.log.as_mut() {
            log.append(&record).map_err(|e| {
                tracing::error!(error = %e, "cannot write the registry log");
                ApiError::store(format!("Error while writing to the registry log: {e}"))
            })?;
        }
        inner.state.apply(&record);
        Ok(())
    }

    /// `POST /subjects/{s}/versions`.
    pub(crate) fn register(&self, subject: &str, req: RegisterRequest) -> Result<i32, ApiError> {
        if subject.is_empty() || subject.chars().any(char::is_control) {
            return Err(ApiError::invalid_subject(subject));
        }
        let mut guard = self.lock()?;
        let inner = &mut *guard;
        let st = &inner.state;
        let mode = st.effective_mode(subject);
        if matches!(mode, Mode::Readonly | Mode::ReadonlyOverride) {
            return Err(ApiError::not_permitted(format!(
                "Subject {subject} is in read-only mode"
            )));
        }
        if (req.id.is_some() || req.version.is_some()) && mode != Mode::Import {
            return Err(ApiError::not_permitted(format!(
                "Subject {subject} is not in import mode: registering with an explicit id or version needs \
                 mode IMPORT"
            )));
        }
        let prepared = prepare(st, &req)?;
        let known_id = st.fingerprints.get(&prepared.fingerprint).copied();
        let subj = st.subjects.get(subject);

        if let Some(id) = known_id
            && subj.is_some_and(|s| s.live().any(|(_, e)| e.id == id))
        {
            if let Some(want) = req.id
                && want != id
            {
                return Err(ApiError::id_does_not_match(format!(
                    "Schema already registered with id {id} instead of input id {want}"
                )));
            }
            return Ok(id);
        }

        if mode != Mode::Import {
            let previous: Vec<i32> = subj
                .map(|s| s.live().map(|(_, e)| e.id).collect())
                .unwrap_or_default();
            let level = st.effective_compat(subject);
            let messages = check(st, level, &req, prepared.json.as_ref(), &previous)?;
            if !messages.is_empty() {
                return Err(ApiError::incompatible(subject, &messages));
            }
        }

        let id = match req.id {
            Some(want) => {
                if want < 1 {
                    return Err(ApiError::id_does_not_match(format!(
                        "Invalid id {want}: ids start at 1"
                    )));
                }
                if let Some(def) = st.schemas.get(&want)
                    && def.fingerprint != prepared.fingerprint
                {
                    return Err(ApiError::id_does_not_match(format!(
                        "Overwrite new schema with id {want} is not permitted."
                    )));
                }
                if let Some(id) = known_id
                    && id != want
                {
                    return Err(ApiError::id_does_not_match(format!(
                        "Schema already registered with id {id} instead of input id {want}"
                    )));
                }
                want
            }
            None => match known_id {
                Some(id) => id,
                None => st
                    .max_id
                    .checked_add(1)
                    .ok_or_else(|| ApiError::store("schema ids exhausted"))?,
            },
        };
        let next_version = subj
            .and_then(|s| s.versions.keys().next_back().copied())
            .unwrap_or(0)
            + 1;
        let version = match req.version {
            Some(v) if v < 1 => return Err(ApiError::invalid_version(&v.to_string())),
            Some(v) if subj.is_some_and(|s| s.versions.contains_key(&v)) => {
                return Err(ApiError::not_permitted(format!(
                    "Version {v} of subject {subject} already exists with another schema"
                )));
            }
            Some(v) => v,
            None => next_version,
        };
        let record = Record::Register {
            subject: subject.to_string(),
            version,
            id,
            schema_type: req.schema_type,
            schema: req.schema,
            references: req.references,
        };
        Self::commit(inner, record)?;
        tracing::info!(subject, version, id, "schema registered");
        Ok(id)
    }

    /// `DELETE /subjects/{s}/versions/{v}`.
    pub(crate) fn delete_version(
        &self,
        subject: &str,
        spec: VersionSpec,
        permanent: bool,
    ) -> Result<i32, ApiError> {
        let mut guard = self.lock()?;
        let inner = &mut *guard;
        let st = &inner.state;
        writable(st, subject)?;
        let s = st.subjects.get(subject).filter(|s| !s.versions.is_empty());
        let s = s.ok_or_else(|| ApiError::subject_not_found(subject))?;
        let version = match spec {
            VersionSpec::Number(v) => v,
            VersionSpec::Latest => match s.latest_live() {
                Some((v, _)) => v,
                None if permanent => *s.versions.keys().next_back().unwrap_or(&0),
                None => return Err(ApiError::subject_not_found(subject)),
            },
        };
        let entry = s
            .versions
            .get(&version)
            .ok_or_else(|| ApiError::version_not_found(version))?;
        if permanent && !entry.deleted {
            return Err(ApiError::version_not_soft_deleted(subject, version));
        }
        if !permanent && entry.deleted {
            return Err(ApiError::version_soft_deleted(subject, version));
        }
        let users = st.referenced_by(subject, version);
        if !users.is_empty() && !permanent {
            return Err(ApiError::reference_exists(format!(
                "One or more references exist to the schema {{subject={subject},version={version}}}: ids {users:?}"
            )));
        }
        Self::commit(
            inner,
            Record::DeleteVersion {
                subject: subject.to_string(),
                version,
                permanent,
            },
        )?;
        Ok(version)
    }

    /// `DELETE /subjects/{s}`.
    pub(crate) fn delete_subject(&self, subject: &str, permanent: bool) -> Result<Vec<i32>, ApiError> {
        let mut guard = self.lock()?;
        let inner = &mut *guard;
        let st = &inner.state;
        writable(st, subject)?;
        let s = st.subjects.get(subject).filter(|s| !s.versions.is_empty());
        let s = s.ok_or_else(|| ApiError::subject_not_found(subject))?;
        let versions: Vec<i32> = if permanent {
            if s.has_live() {
                return Err(ApiError::subject_not_soft_deleted(subject));
            }
            s.versions.keys().copied().collect()
        } else {
            if !s.has_live() {
                return Err(ApiError::subject_soft_deleted(subject));
            }
            for (v, _) in s.live() {
                if !st.referenced_by(subject, v).is_empty() {
                    return Err(ApiError::reference_exists(format!(
                        "One or more references exist to the schema {{subject={subject},version={v}}}"
                    )));
                }
            }
            s.live().map(|(v, _)| v).collect()
        };
        Self::commit(
            inner,
            Record::DeleteSubject {
                subject: subject.to_string(),
                permanent,
            },
        )?;
        Ok(versions)
    }

    /// `POST /compatibility/subjects/{s}/versions/{v}` (`spec` `None` means all versions).
    pub(crate) fn test_compatibility(
        &self,
        subject: &str,
        spec: Option<VersionSpec>,
        req: &RegisterRequest,
        verbose: bool,
    ) -> Result<CompatibilityCheck, ApiError> {
        let guard = self.lock()?;
        let st = &guard.state;
        let prepared = prepare(st, req)?;
        let level = st.effective_compat(subject);
        let previous: Vec<i32> = match (spec, st.subjects.get(subject)) {
            (Some(VersionSpec::Number(v)), _) => {
                vec![find_version(st, subject, VersionSpec::Number(v), false)?.1]
            }
            (_, Some(s)) => s.live().map(|(_, e)| e.id).collect(),
            (_, None) => vec![],
        };
        let messages = check(st, level, req, prepared.json.as_ref(), &previous)?;
        Ok(CompatibilityCheck {
            is_compatible: messages.is_empty(),
            messages: verbose.then_some(messages),
        })
    }

    /// `PUT /config[/{s}]` and `DELETE /config[/{s}]` (`level` `None`).
    pub(crate) fn set_config(
        &self,
        subject: Option<&str>,
        level: Option<CompatibilityLevel>,
    ) -> Result<Option<CompatibilityLevel>, ApiError> {
        let mut guard = self.lock()?;
        let inner = &mut *guard;
        let previous = match subject {
            None => Some(inner.state.global_compat),
            Some(s) => inner.state.subjects.get(s).and_then(|x| x.compat),
        };
        Self::commit(
            inner,
            Record::Config {
                subject: subject.map(str::to_string),
                level,
            },
        )?;
        Ok(previous)
    }

    /// `PUT /mode[/{s}]` and `DELETE /mode[/{s}]` (`mode` `None`).
    pub(crate) fn set_mode(
        &self,
        subject: Option<&str>,
        mode: Option<Mode>,
        force: bool,
    ) -> Result<Mode, ApiError> {
        let mut guard = self.lock()?;
        let inner = &mut *guard;
        let st = &inner.state;
        if mode == Some(Mode::Import) && !force {
            let non_empty = match subject {
                None => st.has_any_versions(),
                Some(s) => st.subjects.get(s).is_some_and(|x| !x.versions.is_empty()),
            };
            if non_empty {
                return Err(ApiError::not_permitted(
                    "Cannot import since found existing subjects",
                ));
            }
        }
        let previous = match subject {
            None => st.global_mode,
            Some(s) => st.effective_mode(s),
        };
        Self::commit(
            inner,
            Record::Mode {
                subject: subject.map(str::to_string),
                mode,
            },
        )?;
        Ok(previous)
    }
}

fn writable(st: &State, subject: &str) -> Result<(), ApiError> {
    if matches!(
        st.effective_mode(subject),
        Mode::Readonly | Mode::ReadonlyOverride
    ) {
        return Err(ApiError::not_permitted(format!(
            "Subject {subject} is in read-only mode"
        )));
    }
    Ok(())
}
