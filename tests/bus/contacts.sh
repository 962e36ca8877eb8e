#!/bin/bash
# The network on a private bus, through the client and the raw API:
#  - contact add/list/show/edit/rm with handles derived from names (and
#    unique), WHO by id, handle, e-mail (any case) and name prefix, and an
#    ambiguous WHO failing with the candidates (Error.Ambiguous, exit 1);
#  - keep-in-touch: a weak tie gets the default 90-day reconnect at 09:00,
#    a strong tie none, --every sets and "none" removes it; log restarts it
#    (the reconnect reminder is replaced) and a backdated log does not;
#  - rm refuses to drop history unless --archive or --force; archived
#    contacts leave list and suggest;
#  - follow-ups naming a contact (add/edit/list --contact);
#  - suggest (weak first, reasons), stats (bars, mix, gave/got, leads) and
#    --json for list, show, suggest, stats and import;
#  - contact import of real vCard files, and no duplicates on re-import.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/bus.sh
. "$(dirname "$0")/../lib/bus.sh"

export TZ=Europe/Berlin LC_ALL=C.UTF-8
VCF=$NETCTL_SRC/tests/data/vcf

bus_start
daemon_start

contact_json() { netctl contact show "$1" --json | jq -c ".contact.$2"; }

# --- add ------------------------------------------------------------------------------

expect_ok netctl contact add "Ana Lima" --email ana@example.org --org Acme --tie weak \
    --met "PyData Berlin meetup" --tag data
assert_match "$OUT" '^Added Ana Lima \(ana-lima\), a weak tie\.' "contact add output"
assert_match "$OUT" 'every 90 days \(the default for weak ties\)' "default cadence shown"
ana_due=$(contact_json ana-lima next_reconnect_local | tr -d '"')
# days_after ISO N: the local date N days (of 86400 s) after an instant.
days_after() { date -d "@$(($(iso_to_epoch "$1") + $2 * 86400))" +%Y-%m-%d; }
want_day=$(days_after "$(contact_json ana-lima created | tr -d '"')" 90)
assert_eq "${ana_due:0:10}" "$want_day" "reconnect is 90 days away"
assert_eq "${ana_due:11:5}" "09:00" "at 09:00 local"
ok "contact add: weak tie, reconnect $ana_due"

expect_ok netctl contact add -q "Ana Sousa" --email ana.sousa@example.org
assert_eq "$OUT" ana-sousa "-q prints the handle"
expect_ok netctl contact add -q "Ana Lima"
assert_eq "$OUT" ana-lima-2 "a second Ana Lima gets ana-lima-2"
expect_ok netctl contact add -q "Bo Chen" --tie strong --email Bo@Example.org
assert_eq "$(contact_json bo-chen next_reconnect)" null "a strong tie has no reconnect"
assert_eq "$(contact_json bo-chen cadence_source)" '"none"' "and says so"
expect_ok netctl contact add -q "José Müller" --every 30d --tag "data science" --tag berlin
assert_eq "$OUT" jose-muller "handle transliterated"
assert_eq "$(contact_json jose-muller cadence)" $((30 * 86400)) "--every 30d"
ok "handles: ana-sousa, ana-lima-2, jose-muller; strong ties have no cadence"

# --- WHO --------------------------------------------------------------------------------

for who in 1 "#1" ana-lima ANA@EXAMPLE.ORG "Ana Lima Extra"; do
    if [[ $who == "Ana Lima Extra" ]]; then
        expect_cli_error 1 netctl contact show "$who"
        assert_match "$ERR" 'No contact matches "Ana Lima Extra"' "unknown name"
        continue
    fi
    expect_ok netctl contact show "$who" --json
    assert_eq "$(jq -r .contact.handle <<<"$OUT")" ana-lima "WHO $who"
done
expect_ok netctl contact show bo --json
assert_eq "$(jq -r .contact.handle <<<"$OUT")" bo-chen "name prefix"
expect_ok netctl contact show "josé" --json
assert_eq "$(jq -r .contact.handle <<<"$OUT")" jose-muller "prefix with an accent"
expect_ok netctl contact show "ana s" --json
assert_eq "$(jq -r .contact.handle <<<"$OUT")" ana-sousa "a longer prefix"
expect_cli_error 1 netctl contact show ana
assert_match "$ERR" '"ana" matches 3 contacts: .*ana-sousa \(Ana Sousa\)' "ambiguous WHO lists candidates"
expect_bus_error Ambiguous Contacts Get s ana
expect_cli_error 1 netctl contact show "Ana Lima"
assert_match "$ERR" 'matches 2 contacts' "two people of the same name"
expect_bus_error NotFound Contacts Get s 999
expect_bus_error NotFound Contacts Get s nobody@example.org
ok "WHO: id, #id, handle, e-mail in any case, prefixes; ambiguous and unknown fail"

# --- list, show --------------------------------------------------------------------------

expect_ok netctl contact list
assert_match "$OUT" '^HANDLE +NAME +TIE +LAST +NEXT +ORG' "list header"
assert_match "$OUT" 'ana-lima +Ana Lima +weak +never +in 12w' "Ana's row"
assert_eq "$(netctl contact list --json | jq length)" 5 "five contacts"
assert_eq "$(netctl contact list --tie strong --json | jq -r '.[].handle')" bo-chen "--tie strong"
assert_eq "$(netctl contact list --tag DATA --json | jq -r '[.[].handle] | join(",")')" ana-lima "--tag, any case"
expect_ok netctl contact show ana-lima
assert_match "$OUT" 'E-mail: +ana@example.org' "show: e-mail"
assert_match "$OUT" 'Met: +PyData Berlin meetup' "show: met"
assert_match "$OUT" 'Reconnect with Ana Lima' "show: the reconnect reminder among open follow-ups"
ok "contact list and show"

# --- edit ---------------------------------------------------------------------------------

expect_ok netctl contact edit ana-lima-2 --name "Ana Lima Costa" --handle ana-costa --email ana@costa.example \
    --org "" --tag mentor
assert_eq "$OUT" "Updated ana-costa." "edit output"
assert_eq "$(contact_json ana-costa name)" '"Ana Lima Costa"' "renamed"
assert_eq "$(contact_json ana-costa emails)" '["ana@costa.example"]' "e-mail added"
expect_ok netctl contact edit ana-costa --rm-email ANA@costa.example --untag mentor --every none
assert_eq "$(contact_json ana-costa emails)" '[]' "e-mail removed, any case"
assert_eq "$(contact_json ana-costa cadence_source)" '"off"' "--every none"
assert_eq "$(contact_json ana-costa next_reconnect)" null "no reconnect"
expect_ok netctl contact edit ana-costa --every default
assert_match "$(contact_json ana-costa next_reconnect)" '^"20' "--every default brings it back"
expect_cli_error 1 netctl contact edit ana-costa --handle ana-lima
assert_match "$ERR" 'handle "ana-lima" is taken by Ana Lima' "a taken handle"
expect_cli_error 1 netctl contact edit ana-costa --email ana@example.org
assert_match "$ERR" 'The e-mail ana@example.org already belongs to Ana Lima \(ana-lima\)' "an e-mail of someone else"
expect_ok netctl contact edit bo --tie weak
assert_match "$(contact_json bo-chen next_reconnect)" '^"20' "a weak tie now: reconnect scheduled"
expect_ok netctl contact edit bo --tie strong
ok "contact edit: name, handle, e-mails, tags, cadence, tie"

# --- log ----------------------------------------------------------------------------------

old_reconnect=$(contact_json ana-lima reconnect_id)
expect_ok netctl log ana-lima --kind coffee --gave "intro to Bo" --got "lead: data role at Acme" \
    --note "Team is hiring in Q1"
assert_match "$OUT" '^Logged coffee with Ana Lima \(#[0-9]+, .*\)\. A lead: well done\.' "log output"
new_reconnect=$(contact_json ana-lima reconnect_id)
[[ $new_reconnect != "$old_reconnect" ]] || fail "logging did not replace the reconnect reminder"
expect_rc 1 netctl show "$old_reconnect"
ok "log withdraws the pending (never shown) reconnect and schedules the next"
assert_eq "$(contact_json ana-lima leads)" 1 "the lead counted"
assert_eq "$(contact_json ana-lima last_kind)" '"coffee"' "last kind"
I=$(netctl log jose --when "40d ago" --kind call -q)
jose_due=$(contact_json jose-muller next_reconnect_local | tr -d '"')
assert_eq "${jose_due:0:10}" "$(days_after "$(contact_json jose-muller created | tr -d '"')" 30)" \
    "a log older than the contact does not move the cadence"
expect_ok netctl log "ana s" --when yesterday --kind email
expect_ok netctl contact show ana-sousa --json
assert_eq "$(jq -r '.interactions[0].at_local[11:16]' <<<"$OUT")" "12:00" "--when yesterday is noon"
expect_ok netctl unlog "$I"
assert_eq "$(contact_json jose-muller interactions)" 0 "unlog removed it"
ok "log: kinds, gave/got, leads, --when past; unlog"

# --- follow-ups naming a contact --------------------------------------------------------------

F=$(netctl add -q "Send Ana my CV" --contact ana@example.org --in 2d)
assert_eq "$(show_field "$F" contact)" ana-lima "add --contact"
expect_ok netctl list --contact ana-lima --json
assert_eq "$(jq -r '[.[].text] | sort | join("|")' <<<"$OUT")" "Reconnect with Ana Lima|Send Ana my CV" \
    "list --contact"
expect_ok netctl edit "$F" --contact bo
assert_eq "$(show_field "$F" contact)" bo-chen "edit --contact"
expect_ok netctl edit "$F" --contact none
assert_eq "$(show_field "$F" contact)" null "edit --contact none"
expect_cli_error 1 netctl add "Nobody" --contact zed
expect_cli_error 1 netctl list --contact ana
assert_match "$ERR" 'matches' "list --contact with an ambiguous WHO"
ok "follow-ups: add/edit/list --contact"

# --- suggest, stats ------------------------------------------------------------------------

expect_ok netctl suggest --json
assert_eq "$(jq -r '[.[] | select(.tie == "strong")] | length' <<<"$OUT")" 1 "Bo (never contacted) is suggested"
assert_eq "$(jq -r '.[-1].handle' <<<"$OUT")" bo-chen "strong ties come last"
assert_eq "$(jq -r '.[0].tie' <<<"$OUT")" weak "weak ties first"
jq -e 'all(.[]; .reason | length > 10)' <<<"$OUT" >/dev/null || fail "every suggestion has a reason"
expect_ok netctl suggest 1
assert_eq "$(grep -c '^ *1\. ' <<<"$OUT")" 1 "suggest 1 gives one"
assert_match "$OUT" 'nothing logged yet: say hello' "a kind reason"
if grep -qi neglect <<<"$OUT"; then fail "unkind wording"; fi
expect_ok netctl stats --weeks 4
# In a pipe every output is plain ASCII; on a UTF-8 terminal the bars are
# Unicode blocks (script(1) gives the command a terminal).
if grep -q '█' <<<"$OUT"; then fail "Unicode blocks in a pipe"; fi
assert_match "$OUT" '#' "ASCII bars in a pipe"
run script -qec "LC_ALL=C.UTF-8 $NETCTL_CLI stats --weeks 4" /dev/null
assert_eq "$RC" 0 "stats on a terminal"
assert_match "$OUT" '█' "Unicode bars on a UTF-8 terminal"
assert_match "$OUT" 'Gave/got: +gave 1, got 1' "gave/got"
assert_match "$OUT" 'Leads: +1 \(1 from weak ties, 0 from strong ties\)' "leads by tie"
run script -qec "LC_ALL=C $NETCTL_CLI stats --weeks 4" /dev/null
assert_eq "$RC" 0 "stats in the C locale"
assert_match "$OUT" '#' "ASCII bars"
if grep -q '█' <<<"$OUT"; then fail "Unicode in an ASCII locale"; fi
expect_ok netctl stats --weeks 2 --json
assert_eq "$(jq '.weeks | length' <<<"$OUT")" 2 "two weeks"
assert_eq "$(jq '.weeks[-1].interactions' <<<"$OUT")" 2 "this week: two interactions"
assert_eq "$(jq '.totals.leads_weak' <<<"$OUT")" 1 "lead from a weak tie"
assert_eq "$(jq '.goals.weak_reconnects' <<<"$OUT")" 3 "default goal"
ok "suggest and stats"

# --- rm, archive --------------------------------------------------------------------------

expect_cli_error 1 netctl contact rm ana-lima
assert_match "$ERR" 'has 1 logged interaction; archive' "rm refuses to drop history"
expect_ok netctl contact rm ana-lima --archive
assert_match "$OUT" '^Archived Ana Lima \(ana-lima\)' "archive"
assert_eq "$(netctl contact list --json | jq '[.[].handle] | index("ana-lima")')" null "hidden from list"
assert_eq "$(netctl contact list --archived --json | jq '[.[].handle] | index("ana-lima") != null')" true \
    "shown with --archived"
assert_eq "$(netctl suggest 100 --json | jq '[.[].handle] | index("ana-lima")')" null "hidden from suggest"
expect_ok netctl contact edit ana-lima --unarchive
expect_ok netctl contact rm ana-sousa --force
assert_match "$OUT" 'and 1 logged interaction' "--force deletes the history too"
expect_ok netctl contact rm ana-costa
expect_rc 2 netctl contact rm ana-lima --archive --force
ok "rm: refused with history, --archive, --force, plain"

# --- import -------------------------------------------------------------------------------

n0=$(netctl contact list --json | jq length)
expect_ok netctl contact import "$VCF/ez-vcard--gmail-list.vcf"
assert_match "$OUT" '3 added, 0 updated, 0 unchanged, 0 skipped' "gmail-list: three cards"
assert_match "$OUT" 'no keep-in-touch reminders yet' "imported contacts start without reminders"
expect_ok netctl contact import "$VCF/ez-vcard--gmail-list.vcf" --json
assert_eq "$(jq -c '[.added, .updated, .unchanged]' <<<"$OUT")" "[0,0,3]" "re-import: no duplicates"
expect_ok netctl contact import --keep-in-touch "$VCF/ez-vcard--John_Doe_GMAIL.vcf" --json
assert_eq "$(jq -r '.cards[0].outcome' <<<"$OUT")" added "the Gmail export"
h=$(jq -r '.cards[0].handle' <<<"$OUT")
assert_match "$(contact_json "$h" next_reconnect)" '^"20' "--keep-in-touch gives a reconnect"
expect_ok netctl contact import "$VCF/ez-vcard--John_Doe_IPHONE.vcf" --json
assert_eq "$(jq -r '.cards[0].outcome' <<<"$OUT")" unchanged "the same person from an iPhone: matched by e-mail"
run netctl contact import "$VCF/folkerkinzel-vcards--v4.vcf" --json
assert_eq "$RC" 0 "vCard 4.0 file"
run netctl contact import "$VCF/thunderbird--export.vcf" --json
assert_eq "$RC" 0 "Thunderbird export"
n1=$(netctl contact list --json | jq length)
for f in "$VCF"/ez-vcard--gmail-list.vcf "$VCF"/thunderbird--export.vcf "$VCF"/folkerkinzel-vcards--v4.vcf; do
    netctl contact import "$f" --json | jq -e '.added == 0' >/dev/null || fail "re-import of $f added someone"
done
assert_eq "$(netctl contact list --json | jq length)" "$n1" "re-imports add nobody"
((n1 > n0)) || fail "imports added nobody"
expect_cli_error 1 netctl contact import "$VCF/vcardlib--invalid.vcf"
assert_match "$ERR" 'vcardlib--invalid.vcf: ' "a malformed file names itself and the reason"
expect_cli_error 1 netctl contact import "$BUS_DIR/nonexistent.vcf"
ok "import: real files, dedup by e-mail then name, malformed file reported"

daemon_alive || fail "netctld died"
