//! `switchyard capture` errors people can act on: what is wrong and what to do, exit code 2.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod capture_support;
mod common;

use capture_support::Pg;

#[test]
fn json_sr_without_a_registry_says_how_to_fix_it() {
    let out = common::switchyard(
        &[
            "capture",
            "--pg",
            "postgresql://postgres@127.0.0.1:1/postgres",
            "--publication",
            "p",
            "--slot",
            "s",
            "--topic-prefix",
            "t",
            "-b",
            "127.0.0.1:1",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = common::text(&out.stderr);
    assert!(err.contains("--format json-sr needs a Schema Registry"), "{err}");
    assert!(err.contains("hint: pass --registry URL"), "{err}");
}

#[test]
fn missing_slot_and_publication_without_create_say_how_to_fix_it() {
    let pg = Pg::start();
    pg.sql("CREATE TABLE public.t (id int PRIMARY KEY)");
    let url = pg.url();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "capture",
            "--pg",
            &url,
            "--publication",
            "nopub",
            "--slot",
            "noslot",
            "--topic-prefix",
            "t",
            "-b",
            "127.0.0.1:1",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        common::switchyard(&args, None)
    };
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(2));
    let err = common::text(&out.stderr);
    assert!(err.contains("publication `nopub` does not exist"), "{err}");
    assert!(err.contains("hint: pass --create"), "{err}");

    pg.sql("CREATE PUBLICATION nopub FOR TABLE public.t");
    let out = run(&[]);
    let err = common::text(&out.stderr);
    assert!(err.contains("replication slot `noslot` does not exist"), "{err}");
    assert!(err.contains("hint: pass --create"), "{err}");

    let out = run(&["--create", "--tables", "public.other"]);
    let err = common::text(&out.stderr);
    assert!(
        err.contains("table `public.other` is not in publication `nopub`"),
        "{err}"
    );
}
