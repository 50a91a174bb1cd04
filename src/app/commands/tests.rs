//! The `/goal` and `/align` grammars' tests: one file, because several
//! rules (options, quotes, help) are checked for both commands at once.

use super::Usage;
use super::align::*;
use super::goal::*;

fn s(text: &str) -> Option<String> {
    Some(text.to_owned())
}

fn fields(title: &str, pillar: &str) -> GoalFields {
    GoalFields {
        title: title.into(),
        pillar: s(pillar),
        ..GoalFields::default()
    }
}

fn goal(text: &str) -> GoalCommand {
    parse_goal(text).unwrap_or_else(|e| panic!("{text:?} was refused: {e}"))
}

fn align(text: &str) -> AlignCommand {
    parse_align(text).unwrap_or_else(|e| panic!("{text:?} was refused: {e}"))
}

fn goal_usage(text: &str) -> String {
    match parse_goal(text) {
        Err(Usage(message)) => message,
        Ok(command) => panic!("{text:?} was accepted as {command:?}"),
    }
}

fn align_usage(text: &str) -> String {
    match parse_align(text) {
        Err(Usage(message)) => message,
        Ok(command) => panic!("{text:?} was accepted as {command:?}"),
    }
}

fn update(id: &str, value: &str, confidence: Option<&str>, note: Option<&str>) -> GoalCommand {
    GoalCommand::Update {
        id: id.into(),
        value: value.into(),
        confidence: confidence.map(Into::into),
        note: note.map(Into::into),
    }
}

fn people(key: &str, role: &str, action: Option<&str>, ids: &[&str]) -> AlignCommand {
    AlignCommand::TeamPeople {
        key: key.into(),
        role: role.into(),
        action: action.map(Into::into),
        people: ids.iter().map(|id| (*id).to_owned()).collect(),
    }
}

#[test]
fn empty_text_and_help_show_the_help() {
    for text in ["", "   ", "help", "HELP", "Help me please"] {
        assert_eq!(goal(text), GoalCommand::Help, "goal {text:?}");
        assert_eq!(align(text), AlignCommand::Help, "align {text:?}");
    }
}

#[test]
fn add_and_propose_alone_open_their_forms() {
    let cases = [
        ("add", GoalCommand::AddForm),
        ("  ADD  ", GoalCommand::AddForm),
        ("propose", GoalCommand::ProposeForm),
        ("Propose \n ", GoalCommand::ProposeForm),
    ];
    for (text, expected) in cases {
        assert_eq!(goal(text), expected, "text {text:?}");
    }
}

#[test]
fn add_reads_the_title_and_every_option() {
    let all = GoalFields {
        title: "Cut ER wait times".into(),
        pillar: s("patient-care"),
        target: s("30min"),
        start: s("45min"),
        due: s("2026-06-30"),
        team: s("nursing"),
        owner: s("U123"),
        year: s("2027"),
    };
    let cases = [
        (
            "add Cut wait times pillar:patient-care",
            fields("Cut wait times", "patient-care"),
        ),
        (
            "add Cut ER wait times pillar:patient-care target:30min start:45min due:2026-06-30 team:nursing owner:<@U123|jane> year:2027",
            all.clone(),
        ),
        (
            "add year:2027 owner:<@U123> team:nursing due:2026-06-30 start:45min target:30min pillar:patient-care Cut ER wait times",
            all,
        ),
        (
            "add Raise pillar:growth $1.2M in gifts target:$1.2M",
            GoalFields {
                target: s("$1.2M"),
                ..fields("Raise $1.2M in gifts", "growth")
            },
        ),
        (
            "add  Lots   of\n spaces\tin it  pillar:x ",
            fields("Lots of spaces in it", "x"),
        ),
        (
            "add Full coverage pillar:care target:100% due:Q2",
            GoalFields {
                target: s("100%"),
                due: s("Q2"),
                ..fields("Full coverage", "care")
            },
        ),
        (
            "add Monthly report pillar:care due:2026-06",
            GoalFields {
                due: s("2026-06"),
                ..fields("Monthly report", "care")
            },
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(goal(text), GoalCommand::Add(expected), "text {text:?}");
    }
}

#[test]
fn propose_reads_the_same_fields_as_add() {
    let cases = [
        (
            "propose Weekly huddles pillar:culture",
            fields("Weekly huddles", "culture"),
        ),
        (
            "propose Weekly huddles pillar:culture team:nursing target:52 owner:<@U9|ann>",
            GoalFields {
                team: s("nursing"),
                target: s("52"),
                owner: s("U9"),
                ..fields("Weekly huddles", "culture")
            },
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(goal(text), GoalCommand::Propose(expected), "text {text:?}");
    }
}

#[test]
fn quoted_values_keep_their_spaces_with_straight_or_curly_quotes() {
    let cases = [
        (
            "add Finish audit pillar:quality due:\"end of year\"",
            "end of year",
        ),
        (
            "add Finish audit pillar:quality due:“end of year”",
            "end of year",
        ),
        (
            "add Finish audit pillar:quality due:”end of year”",
            "end of year",
        ),
        (
            "add Finish audit pillar:quality due:\" end of year \"",
            "end of year",
        ),
        (
            "add Finish audit due:\"end of\n year\" pillar:quality",
            "end of\n year",
        ),
    ];
    for (text, due) in cases {
        let expected = GoalFields {
            due: s(due),
            ..fields("Finish audit", "quality")
        };
        assert_eq!(goal(text), GoalCommand::Add(expected), "text {text:?}");
    }
    assert_eq!(
        goal("add Care pillar:\"patient care\""),
        GoalCommand::Add(fields("Care", "patient care"))
    );
}

#[test]
fn quotes_outside_option_values_stay_in_the_title() {
    let cases = [
        ("add Launch \"Project X\" pillar:p", "Launch \"Project X\""),
        ("add Launch “Project X pillar:p", "Launch “Project X"),
        ("add Say \"hi pillar:p", "Say \"hi"),
    ];
    for (text, title) in cases {
        assert_eq!(
            goal(text),
            GoalCommand::Add(fields(title, "p")),
            "text {text:?}"
        );
    }
}

#[test]
fn unknown_word_colon_things_stay_in_the_title() {
    let cases = [
        ("add Ratio 3:1 nurses pillar:care", "Ratio 3:1 nurses"),
        ("add Note:this pillar:care", "Note:this"),
        (
            "add Read https://example.com/plan pillar:care",
            "Read https://example.com/plan",
        ),
        ("add Keep foo:\"a b\" pillar:care", "Keep foo:\"a b\""),
        (
            "add See <https://x.org|the plan> pillar:care",
            "See <https://x.org|the plan>",
        ),
        (
            "add Thank <@U1|Jane Doe> team pillar:care",
            "Thank <@U1|Jane Doe> team",
        ),
        ("add Done at 9:30 pillar:care", "Done at 9:30"),
    ];
    for (text, title) in cases {
        assert_eq!(
            goal(text),
            GoalCommand::Add(fields(title, "care")),
            "text {text:?}"
        );
    }
}

#[test]
fn option_keys_and_subcommands_are_case_insensitive() {
    let expected = GoalFields {
        due: s("Q2"),
        ..fields("Title", "Care")
    };
    assert_eq!(
        goal("ADD Title PILLAR:Care Due:Q2"),
        GoalCommand::Add(expected)
    );
    let cases = [
        (
            "LIST ALL",
            GoalCommand::List {
                scope: ListScope::All,
                page: 1,
                year: None,
            },
        ),
        (
            "List Mine PAGE:2",
            GoalCommand::List {
                scope: ListScope::Mine,
                page: 2,
                year: None,
            },
        ),
        ("Show #3", GoalCommand::Show { id: "#3".into() }),
        ("EDIT 3", GoalCommand::Edit { id: "3".into() }),
        ("UpDate 3", GoalCommand::UpdateForm { id: "3".into() }),
        (
            "CLOSE 3 ACHIEVED",
            GoalCommand::Close {
                id: "3".into(),
                outcome: "achieved".into(),
                note: None,
            },
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(goal(text), expected, "text {text:?}");
    }
    assert_eq!(align("STATUS"), AlignCommand::Status { year: None });
    assert_eq!(
        align("PILLAR ARCHIVE Care"),
        AlignCommand::PillarArchive { key: "Care".into() }
    );
    assert_eq!(
        align("Team Members nursing ADD <@U1>"),
        people("nursing", "members", Some("add"), &["U1"])
    );
    assert_eq!(
        align("Goals Kickoff TEAM:nursing"),
        AlignCommand::GoalsKickoff {
            team: "nursing".into(),
            year: None,
        }
    );
}

#[test]
fn a_known_option_given_twice_is_refused_by_name() {
    let cases = [
        ("add T pillar:a pillar:b", "`pillar:`", GOAL_ADD),
        ("add T pillar:a due:Q1 DUE:Q2", "`due:`", GOAL_ADD),
        ("propose T pillar:a team:x team:x", "`team:`", GOAL_PROPOSE),
        ("list all page:1 page:2", "`page:`", GOAL_LIST),
    ];
    for (text, option, line) in cases {
        let message = goal_usage(text);
        assert!(
            message.contains(option) && message.contains("twice"),
            "{text:?}: {message}"
        );
        assert!(message.contains(line), "{text:?}: {message}");
    }
    let message = align_usage("pillar edit care emoji::a: EMOJI::b:");
    assert!(
        message.contains("`emoji:`") && message.contains(ALIGN_PILLAR_EDIT),
        "{message}"
    );
    let message = align_usage("team add n N channel:<#C1> channel:<#C2>");
    assert!(
        message.contains("`channel:`") && message.contains(ALIGN_TEAM_ADD),
        "{message}"
    );
}

#[test]
fn an_unclosed_quote_is_refused() {
    let message = goal_usage("add T pillar:a due:\"end of year");
    assert!(
        message.contains("never closed") && message.contains("`due:`"),
        "{message}"
    );
    assert!(message.contains(GOAL_ADD), "{message}");
    let message = align_usage("pillar edit care name:“Patient care");
    assert!(
        message.contains("never closed") && message.contains(ALIGN_PILLAR_EDIT),
        "{message}"
    );
}

#[test]
fn text_glued_to_a_closing_quote_is_refused() {
    let message = goal_usage("add T pillar:a due:\"Q2\"x");
    assert!(
        message.contains("closing quote") && message.contains(GOAL_ADD),
        "{message}"
    );
}

#[test]
fn an_option_without_a_value_is_refused() {
    for text in [
        "add T pillar: care",
        "add T pillar:",
        "add T pillar:\"\" x",
        "add T pillar:\" \"",
    ] {
        let message = goal_usage(text);
        assert!(
            message.contains("`pillar:` needs a value"),
            "{text:?}: {message}"
        );
        assert!(message.contains(GOAL_ADD), "{text:?}: {message}");
    }
}

#[test]
fn owner_mentions_with_or_without_a_name_give_the_user_id() {
    let cases = [
        ("add T pillar:p owner:<@U123>", "U123"),
        ("add T pillar:p owner:<@U123|jane>", "U123"),
        ("add T pillar:p owner:<@W0ABC|Jane Doe>", "W0ABC"),
        ("add T pillar:p OWNER:\"<@U7|x>\"", "U7"),
    ];
    for (text, id) in cases {
        let expected = GoalFields {
            owner: s(id),
            ..fields("T", "p")
        };
        assert_eq!(goal(text), GoalCommand::Add(expected), "text {text:?}");
    }
}

#[test]
fn an_owner_that_is_not_a_mention_asks_to_pick_the_person() {
    for (text, shown) in [
        ("add T pillar:p owner:@jane", "`@jane`"),
        ("add T pillar:p owner:jane", "`jane`"),
        // Echoed escaped: raw, `<#C1>` would be a channel link.
        ("add T pillar:p owner:<#C1>", "`&lt;#C1&gt;`"),
        ("add T pillar:p owner:<@>", "`&lt;@&gt;`"),
        ("propose T pillar:p owner:@jane", "`@jane`"),
    ] {
        let message = goal_usage(text);
        assert!(message.contains(shown), "{text:?}: {message}");
        assert!(message.contains("pick the person"), "{text:?}: {message}");
    }
}

#[test]
fn update_reads_the_value_confidence_and_note() {
    let cases = [
        ("update 12", GoalCommand::UpdateForm { id: "12".into() }),
        (
            "update #12   ",
            GoalCommand::UpdateForm { id: "#12".into() },
        ),
        ("update #12 50%", update("#12", "50%", None, None)),
        (
            "update 12 40 on-track",
            update("12", "40", Some("on-track"), None),
        ),
        (
            "update 12 40 ON-TRACK",
            update("12", "40", Some("on-track"), None),
        ),
        (
            "update 12 40 At-Risk",
            update("12", "40", Some("at-risk"), None),
        ),
        (
            "update 12 40 off-track Vendor late",
            update("12", "40", Some("off-track"), Some("Vendor late")),
        ),
        (
            "update 12 40 on track",
            update("12", "40", Some("on-track"), None),
        ),
        (
            "update 12 40 At Risk short staffed",
            update("12", "40", Some("at-risk"), Some("short staffed")),
        ),
        (
            "update 12 40 off  track",
            update("12", "40", Some("off-track"), None),
        ),
        (
            "update 12 40 on time and happy",
            update("12", "40", None, Some("on time and happy")),
        ),
        (
            "update 12 40 Good month",
            update("12", "40", None, Some("Good month")),
        ),
        ("update 12 done", update("12", "done", None, None)),
        ("update 12 not done", update("12", "not done", None, None)),
        (
            "update 12 Not Done at-risk waiting",
            update("12", "Not Done", Some("at-risk"), Some("waiting")),
        ),
        (
            "update 12 not on-track",
            update("12", "not", Some("on-track"), None),
        ),
        (
            "update 12 $1.2M on-track",
            update("12", "$1.2M", Some("on-track"), None),
        ),
        (
            "update 12 60% on-track  First line\n\n  second  line  ",
            update(
                "12",
                "60%",
                Some("on-track"),
                Some("First line\n\n  second  line"),
            ),
        ),
        (
            "update 12 60% pillar:x \"quoted\" due:Q2",
            update("12", "60%", None, Some("pillar:x \"quoted\" due:Q2")),
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(goal(text), expected, "text {text:?}");
    }
}

#[test]
fn update_with_a_confidence_but_no_value_is_refused() {
    for text in ["update 12 on-track", "update 12 at risk all good"] {
        let message = goal_usage(text);
        assert!(message.contains("value first"), "{text:?}: {message}");
        assert!(message.contains(GOAL_UPDATE), "{text:?}: {message}");
    }
}

#[test]
fn list_reads_the_scope_and_page() {
    let list = |scope, page| GoalCommand::List {
        scope,
        page,
        year: None,
    };
    let cases = [
        ("list", list(ListScope::Mine, 1)),
        ("list mine", list(ListScope::Mine, 1)),
        ("list all", list(ListScope::All, 1)),
        (
            "list team nursing",
            list(ListScope::Team("nursing".into()), 1),
        ),
        (
            "list team Nursing page:3",
            list(ListScope::Team("Nursing".into()), 3),
        ),
        ("list all page:2", list(ListScope::All, 2)),
        ("list page:4", list(ListScope::Mine, 4)),
        ("list page:2 all", list(ListScope::All, 2)),
    ];
    for (text, expected) in cases {
        assert_eq!(goal(text), expected, "text {text:?}");
    }
}

#[test]
fn show_edit_and_close_read_the_raw_goal_id() {
    let close = |id: &str, outcome: &str, note: Option<&str>| GoalCommand::Close {
        id: id.into(),
        outcome: outcome.into(),
        note: note.map(Into::into),
    };
    let cases = [
        ("show 12", GoalCommand::Show { id: "12".into() }),
        ("show #12", GoalCommand::Show { id: "#12".into() }),
        ("show abc", GoalCommand::Show { id: "abc".into() }),
        ("edit #7", GoalCommand::Edit { id: "#7".into() }),
        ("close 12 achieved", close("12", "achieved", None)),
        ("close #12 Dropped", close("#12", "dropped", None)),
        (
            "close 12 dropped  Merged into #14.\nThanks all ",
            close("12", "dropped", Some("Merged into #14.\nThanks all")),
        ),
        ("close 12 met", close("12", "achieved", None)),
        ("close 12 not met", close("12", "not-met", None)),
        ("close 12 carried-over", close("12", "carried-over", None)),
        (
            "close 12 Carried Over staffing came late",
            close("12", "carried-over", Some("staffing came late")),
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(goal(text), expected, "text {text:?}");
    }
}

#[test]
fn missing_or_wrong_goal_arguments_give_the_right_usage_line() {
    let cases = [
        ("add Title only", "pillar:<key>", GOAL_ADD),
        ("add pillar:care", "title", GOAL_ADD),
        ("add pillar:care due:Q2", "title", GOAL_ADD),
        ("propose Title only", "pillar:<key>", GOAL_PROPOSE),
        ("propose pillar:care", "title", GOAL_PROPOSE),
        ("update", "Which goal?", GOAL_UPDATE),
        ("list team", "Which team?", GOAL_LIST),
        ("list everything", "`everything`", GOAL_LIST),
        ("list all 2", "`all 2`", GOAL_LIST),
        ("list mine team x", "`mine team x`", GOAL_LIST),
        ("list team a b", "`team a b`", GOAL_LIST),
        ("list page:0", "`page:0`", GOAL_LIST),
        ("list page:two", "`page:two`", GOAL_LIST),
        ("list page:-1", "`page:-1`", GOAL_LIST),
        ("show", "Which goal?", GOAL_SHOW),
        ("show 1 2", "`2`", GOAL_SHOW),
        ("edit", "Which goal?", GOAL_EDIT),
        ("edit 1 title", "`title`", GOAL_EDIT),
        ("close", "Which goal?", GOAL_CLOSE),
        ("close 12", "`not-met` or `carried-over`", GOAL_CLOSE),
        ("close 12 not-reported", "`not-reported`", GOAL_CLOSE),
        ("close 12 finished", "`finished`", GOAL_CLOSE),
    ];
    for (text, explanation, line) in cases {
        let message = goal_usage(text);
        assert!(message.contains(explanation), "{text:?}: {message}");
        assert!(message.contains("*Usage:*\n"), "{text:?}: {message}");
        assert!(message.contains(line), "{text:?}: {message}");
    }
}

#[test]
fn usage_for_a_form_subcommand_also_shows_the_form_line() {
    let message = goal_usage("update");
    assert!(message.contains(GOAL_UPDATE_FORM) && message.contains(GOAL_UPDATE));
    let message = goal_usage("add Title");
    assert!(message.contains(GOAL_ADD_FORM) && message.contains(GOAL_ADD));
    assert!(!message.contains(GOAL_PROPOSE));
}

#[test]
fn an_unknown_subcommand_gets_the_full_help() {
    let message = goal_usage("frobnicate 12");
    assert!(message.contains("`/goal frobnicate`"), "{message}");
    assert!(message.ends_with(goal_help()), "{message}");
    let message = align_usage("dance");
    assert!(message.contains("`/align dance`"), "{message}");
    assert!(message.ends_with(align_help()), "{message}");
}

#[test]
fn a_subcommand_typo_gets_the_closest_command_not_the_help() {
    let cases = [
        (
            goal_usage("ad Cut waits pillar:care"),
            "`/goal ad`",
            "`/goal add`",
        ),
        (goal_usage("lsit all"), "`/goal lsit`", "`/goal list`"),
        (align_usage("statsu"), "`/align statsu`", "`/align status`"),
        (align_usage("pilars"), "`/align pilars`", "`/align pillars`"),
    ];
    for (message, typed, meant) in cases {
        assert!(message.contains(typed), "{message}");
        assert!(
            message.contains(&format!("Did you mean {meant}?")),
            "{message}"
        );
        assert!(
            !message.contains("*Usage:*") && message.len() < 200,
            "{message}"
        );
    }
}

#[test]
fn non_ascii_titles_notes_and_names_survive_unchanged() {
    assert_eq!(
        goal("add Réduire l’attente aux urgences 🚑 pillar:soins due:“fin d’année”"),
        GoalCommand::Add(GoalFields {
            due: s("fin d’année"),
            ..fields("Réduire l’attente aux urgences 🚑", "soins")
        })
    );
    assert_eq!(
        goal("update 3 80% on-track Très bien — 患者さん 😊\nligne deux"),
        update(
            "3",
            "80%",
            Some("on-track"),
            Some("Très bien — 患者さん 😊\nligne deux")
        )
    );
    assert_eq!(
        goal("close 3 achieved Fertig ✅"),
        GoalCommand::Close {
            id: "3".into(),
            outcome: "achieved".into(),
            note: s("Fertig ✅"),
        }
    );
    assert_eq!(
        align("pillar add soins Soins aux patients ❤️ emoji:❤️"),
        AlignCommand::PillarAdd {
            key: "soins".into(),
            name: "Soins aux patients ❤️".into(),
            emoji: s("❤️"),
            description: None,
        }
    );
    assert_eq!(
        align("mission set Chaque patient repart en meilleure santé, et écouté. 🌱"),
        AlignCommand::MissionSet {
            mission: "Chaque patient repart en meilleure santé, et écouté. 🌱".into()
        }
    );
}

#[test]
fn align_status_is_read() {
    assert_eq!(align("status"), AlignCommand::Status { year: None });
    assert_eq!(align("  status \n"), AlignCommand::Status { year: None });
    assert_eq!(
        align("status year:2027"),
        AlignCommand::Status {
            year: Some("2027".into())
        }
    );
    assert!(align_usage("status nursing").contains("`year:<yyyy>`"));
    assert_eq!(align("pillars"), AlignCommand::Pillars);
    assert_eq!(align("TEAMS"), AlignCommand::Teams);
}

#[test]
fn a_year_is_an_option_of_kickoff_and_list() {
    assert_eq!(
        align("goals kickoff team:nursing year:2027"),
        AlignCommand::GoalsKickoff {
            team: "nursing".into(),
            year: Some("2027".into()),
        }
    );
    assert_eq!(
        goal("list team icu year:2026/27"),
        GoalCommand::List {
            scope: ListScope::Team("icu".into()),
            page: 1,
            year: Some("2026/27".into()),
        }
    );
}

#[test]
fn pillar_commands_are_read() {
    let add = |key: &str, name: &str, emoji: Option<&str>, description: Option<&str>| {
        AlignCommand::PillarAdd {
            key: key.into(),
            name: name.into(),
            emoji: emoji.map(Into::into),
            description: description.map(Into::into),
        }
    };
    let edit = |name: Option<&str>, emoji: Option<&str>, description: Option<&str>| {
        AlignCommand::PillarEdit {
            key: "care".into(),
            name: name.map(Into::into),
            emoji: emoji.map(Into::into),
            description: description.map(Into::into),
        }
    };
    let cases = [
        (
            "pillar add care Patient care",
            add("care", "Patient care", None, None),
        ),
        (
            "pillar add care Patient care emoji::heart: description:\"Every patient, every time\"",
            add(
                "care",
                "Patient care",
                Some(":heart:"),
                Some("Every patient, every time"),
            ),
        ),
        (
            "pillar add care emoji::heart: Patient   care",
            add("care", "Patient care", Some(":heart:"), None),
        ),
        (
            "pillar add care name:“Patient care” description:“Heard, healthier”",
            add("care", "Patient care", None, Some("Heard, healthier")),
        ),
        (
            "pillar add care Ratio 3:1",
            add("care", "Ratio 3:1", None, None),
        ),
        (
            "pillar edit care name:\"Patient care\"",
            edit(Some("Patient care"), None, None),
        ),
        (
            "pillar edit care emoji::hospital:",
            edit(None, Some(":hospital:"), None),
        ),
        (
            "pillar edit care DESCRIPTION:\"New words\"",
            edit(None, None, Some("New words")),
        ),
        (
            "pillar edit care name:Care emoji::x: description:Short",
            edit(Some("Care"), Some(":x:"), Some("Short")),
        ),
        (
            "pillar archive care",
            AlignCommand::PillarArchive { key: "care".into() },
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(align(text), expected, "text {text:?}");
    }
}

#[test]
fn mission_set_keeps_the_text_as_typed() {
    let cases = [
        (
            "mission set Every patient leaves healthier and heard.",
            "Every patient leaves healthier and heard.",
        ),
        (
            "mission SET  Every  patient\nleaves heard.  ",
            "Every  patient\nleaves heard.",
        ),
        (
            "mission set \"Every patient leaves heard.\"",
            "Every patient leaves heard.",
        ),
        (
            "mission set “Every patient leaves heard.”",
            "Every patient leaves heard.",
        ),
        (
            "mission set \"Heard\" is our \"word\"",
            "\"Heard\" is our \"word\"",
        ),
        ("mission set name:x is fine", "name:x is fine"),
    ];
    for (text, mission) in cases {
        assert_eq!(
            align(text),
            AlignCommand::MissionSet {
                mission: mission.into()
            },
            "text {text:?}"
        );
    }
}

#[test]
fn team_add_and_edit_read_names_and_channel_ids() {
    let add = |name: &str, channel: Option<&str>| AlignCommand::TeamAdd {
        key: "nursing".into(),
        name: name.into(),
        channel: channel.map(Into::into),
    };
    let edit = |name: Option<&str>, channel: Option<&str>| AlignCommand::TeamEdit {
        key: "nursing".into(),
        name: name.map(Into::into),
        channel: channel.map(Into::into),
    };
    let cases = [
        ("team add nursing Nursing", add("Nursing", None)),
        (
            "team add nursing Night nursing channel:<#C123|nursing>",
            add("Night nursing", Some("C123")),
        ),
        (
            "team add nursing channel:<#C123> Nursing",
            add("Nursing", Some("C123")),
        ),
        (
            "team add nursing name:\"Night nursing\"",
            add("Night nursing", None),
        ),
        (
            "team edit nursing name:\"Night nursing\"",
            edit(Some("Night nursing"), None),
        ),
        (
            "team edit nursing channel:<#C0NURSING>",
            edit(None, Some("C0NURSING")),
        ),
        (
            "team edit nursing Channel:<#C1|x> NAME:Nurses",
            edit(Some("Nurses"), Some("C1")),
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(align(text), expected, "text {text:?}");
    }
}

#[test]
fn a_channel_that_is_not_a_link_asks_to_pick_the_channel() {
    for (text, line) in [
        ("team add nursing Nursing channel:#nursing", ALIGN_TEAM_ADD),
        ("team add nursing Nursing channel:C123", ALIGN_TEAM_ADD),
        ("team edit nursing channel:<@U1>", ALIGN_TEAM_EDIT),
    ] {
        let message = align_usage(text);
        assert!(message.contains("pick the channel"), "{text:?}: {message}");
        assert!(message.contains(line), "{text:?}: {message}");
    }
}

#[test]
fn team_leaders_and_members_read_the_action_and_people() {
    let cases = [
        (
            "team leaders nursing",
            people("nursing", "leaders", None, &[]),
        ),
        (
            "team MEMBERS nursing",
            people("nursing", "members", None, &[]),
        ),
        (
            "team members nursing add <@U1> <@U2|x>",
            people("nursing", "members", Some("add"), &["U1", "U2"]),
        ),
        (
            "team leaders nursing remove <@U3>",
            people("nursing", "leaders", Some("remove"), &["U3"]),
        ),
        (
            "team members nursing add <@U1|Jane Doe>, <@U2>,<@U1>",
            people("nursing", "members", Some("add"), &["U1", "U2"]),
        ),
        (
            "team members nursing add <@U1|Doe, Jane>,<@U2|x>,",
            people("nursing", "members", Some("add"), &["U1", "U2"]),
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(align(text), expected, "text {text:?}");
    }
}

#[test]
fn team_people_problems_give_the_people_usage() {
    let cases = [
        ("team leaders", "Which team?"),
        ("team members nursing add", "Say who to add"),
        ("team leaders nursing remove ,", "Say who to remove"),
        ("team members nursing invite <@U1>", "`invite`"),
        ("team members nursing add @jane", "`@jane`"),
        ("team members nursing add <@U1> bob", "`bob`"),
        ("team members nursing add <@U1>x", "`x`"),
    ];
    for (text, explanation) in cases {
        let message = align_usage(text);
        assert!(message.contains(explanation), "{text:?}: {message}");
        assert!(
            message.contains(ALIGN_TEAM_PEOPLE) && message.contains(ALIGN_TEAM_PEOPLE_FORM),
            "{text:?}: {message}"
        );
    }
}

#[test]
fn goals_kickoff_needs_a_team_option() {
    assert_eq!(
        align("goals kickoff team:nursing"),
        AlignCommand::GoalsKickoff {
            team: "nursing".into(),
            year: None,
        }
    );
    let cases = [
        ("goals", "Say what to do"),
        ("goals start team:x", "`goals start`"),
        ("goals kickoff", "`team:<key>`"),
        ("goals kickoff nursing", "`team:nursing`"),
    ];
    for (text, explanation) in cases {
        let message = align_usage(text);
        assert!(message.contains(explanation), "{text:?}: {message}");
        assert!(message.contains(ALIGN_KICKOFF), "{text:?}: {message}");
    }
}

#[test]
fn missing_or_wrong_align_arguments_give_the_right_usage_lines() {
    let cases: &[(&str, &str, &[&str])] = &[
        ("status now", "`now`", &[ALIGN_STATUS]),
        ("pillar", "Say what to do", PILLAR_LINES),
        ("pillar rename care", "`pillar rename`", PILLAR_LINES),
        ("pillar add", "key and a name", &[ALIGN_PILLAR_ADD]),
        ("pillar add care", "name after its key", &[ALIGN_PILLAR_ADD]),
        (
            "pillar add care emoji::x:",
            "name after its key",
            &[ALIGN_PILLAR_ADD],
        ),
        (
            "pillar add care Care name:Other",
            "not both",
            &[ALIGN_PILLAR_ADD],
        ),
        ("pillar edit", "Which pillar?", &[ALIGN_PILLAR_EDIT]),
        ("pillar edit care", "what to change", &[ALIGN_PILLAR_EDIT]),
        (
            "pillar edit care Patient care",
            "`Patient care`",
            &[ALIGN_PILLAR_EDIT],
        ),
        ("pillar archive", "Which pillar?", &[ALIGN_PILLAR_ARCHIVE]),
        ("pillar archive care now", "`now`", &[ALIGN_PILLAR_ARCHIVE]),
        ("mission", "Say what to do", &[ALIGN_MISSION]),
        ("mission show", "`mission show`", &[ALIGN_MISSION]),
        ("mission set", "Write the mission", &[ALIGN_MISSION]),
        ("mission set \"\"", "Write the mission", &[ALIGN_MISSION]),
        ("team", "Say what to do", TEAM_LINES),
        ("team delete nursing", "`team delete`", TEAM_LINES),
        ("team add", "key and a name", &[ALIGN_TEAM_ADD]),
        ("team add nursing", "name after its key", &[ALIGN_TEAM_ADD]),
        ("team edit", "Which team?", &[ALIGN_TEAM_EDIT]),
        ("team edit nursing", "what to change", &[ALIGN_TEAM_EDIT]),
        (
            "team edit nursing Night nurses",
            "`Night nurses`",
            &[ALIGN_TEAM_EDIT],
        ),
    ];
    for (text, explanation, lines) in cases {
        let message = align_usage(text);
        assert!(message.contains(explanation), "{text:?}: {message}");
        for line in *lines {
            assert!(message.contains(line), "{text:?} lacks {line}: {message}");
        }
    }
}

#[test]
fn help_lists_every_form_as_code() {
    for (forms, help) in [(GOAL_FORMS, goal_help()), (ALIGN_FORMS, align_help())] {
        for (line, what) in forms {
            assert!(line.starts_with('`') && line.ends_with('`'), "{line}");
            assert!(
                help.contains(&format!("• {line} — {what}")),
                "{line} missing:\n{help}"
            );
        }
    }
    let goal_lines = [
        GOAL_ADD_FORM,
        GOAL_ADD,
        GOAL_PROPOSE_FORM,
        GOAL_PROPOSE,
        GOAL_UPDATE_FORM,
        GOAL_UPDATE,
        GOAL_LIST,
        GOAL_SHOW,
        GOAL_EDIT,
        GOAL_CLOSE,
    ];
    assert!(goal_lines.iter().all(|line| goal_help().contains(line)));
    assert!(
        PILLAR_LINES
            .iter()
            .chain(TEAM_LINES)
            .all(|line| align_help().contains(line))
    );
    assert!(align_help().contains(ALIGN_MISSION) && align_help().contains(ALIGN_KICKOFF));
}

#[test]
fn usage_is_an_error_that_displays_its_message() {
    let error: Box<dyn std::error::Error> = Box::new(Usage("Try `/goal help`.".into()));
    assert_eq!(error.to_string(), "Try `/goal help`.");
    let message = goal_usage("show");
    assert!(message.starts_with(WHICH_GOAL), "{message}");
    assert!(
        message.ends_with(&format!("*Usage:*\n{GOAL_SHOW}")),
        "{message}"
    );
}

#[test]
fn backticks_typed_by_a_person_do_not_break_the_code_span() {
    let message = goal_usage("close 1 `oops`");
    assert!(message.contains("`'oops'`"), "{message}");
}
