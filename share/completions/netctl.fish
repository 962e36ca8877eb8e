# fish completion for netctl(1)
# SPDX-License-Identifier: MIT
#
# Verbs, options and option values; follow-up ids, contact handles and
# interaction ids come from the running daemon through the hidden
# `netctl __complete ids|contacts|interactions` (one "VALUE<TAB>DESCRIPTION"
# per line, which is what fish wants; nothing, quickly, when netctld is not
# running).

function __netctl_dynamic --description 'candidates from the running netctld'
    set -l cmd (commandline -opc)[1]
    if not string match -q -- '*/*' $cmd; or not test -x $cmd
        set cmd netctl
    end
    $cmd __complete $argv[1] 2>/dev/null
end

set -l verbs add list show done snooze rm edit status reload import meetings export contact log unlog suggest stats break sync help

# The words typed so far, minus the command, global options and the values
# of options given as a separate word ("--kind coffee").
function __netctl_args
    set -l args (commandline -opc)[2..-1]
    set -l skip 0
    for a in $args
        if test $skip -eq 1
            set skip 0
            continue
        end
        string match -q -- '--color*' $a; and continue
        if contains -- $a -d --due -i --in -e --every --contact --text --email --rm-email --org --tie \
                --met --tag --untag --note --handle --name -k --kind --gave --got --when -w --weeks
            set skip 1
        end
        echo $a
    end
end

# __netctl_verb_is VERB [SUBVERB]: completing the arguments of that verb.
function __netctl_verb_is
    set -l words (__netctl_args | string match -v -- '-*')
    test (count $words) -ge 1; and test "$words[1]" = $argv[1]; or return 1
    if set -q argv[2]
        test (count $words) -ge 2; and test "$words[2]" = $argv[2]
    end
end

# __netctl_positional_count: how many non-option words follow the verb (and
# subverb, for contact and break).
function __netctl_positional_count
    set -l words (__netctl_args | string match -v -- '-*')
    set -l skip 1
    contains -- "$words[1]" contact break sync; and set skip 2
    math (count $words) - $skip
end

function __netctl_needs_verb
    test (count (__netctl_args | string match -v -- '-*')) -eq 0
end

function __netctl_needs_subverb
    set -l words (__netctl_args | string match -v -- '-*')
    test (count $words) -eq 1; and contains -- $words[1] $argv
end

complete -c netctl -f

# Global options.
complete -c netctl -n __netctl_needs_verb -s h -l help -d 'Show help'
complete -c netctl -n __netctl_needs_verb -l version -d 'Show the version'
complete -c netctl -l color -x -a 'auto always never' -d 'When to use colour'

# Verbs.
complete -c netctl -n __netctl_needs_verb -a add -d 'Add a follow-up'
complete -c netctl -n __netctl_needs_verb -a list -d 'List open follow-ups'
complete -c netctl -n __netctl_needs_verb -a show -d 'Show one follow-up'
complete -c netctl -n __netctl_needs_verb -a done -d 'Mark follow-ups done'
complete -c netctl -n __netctl_needs_verb -a snooze -d 'Move a follow-up later'
complete -c netctl -n __netctl_needs_verb -a rm -d 'Remove follow-ups'
complete -c netctl -n __netctl_needs_verb -a edit -d 'Change a follow-up'
complete -c netctl -n __netctl_needs_verb -a status -d 'Show the state of the daemon'
complete -c netctl -n __netctl_needs_verb -a reload -d 'Re-read netctl.conf'
complete -c netctl -n __netctl_needs_verb -a import -d 'Import meeting invites (.ics)'
complete -c netctl -n __netctl_needs_verb -a meetings -d 'List upcoming meetings'
complete -c netctl -n __netctl_needs_verb -a export -d 'Write the schedule as iCalendar'
complete -c netctl -n __netctl_needs_verb -a contact -d 'The people in your network'
complete -c netctl -n __netctl_needs_verb -a log -d 'Record an interaction'
complete -c netctl -n __netctl_needs_verb -a unlog -d 'Remove logged interactions'
complete -c netctl -n __netctl_needs_verb -a suggest -d 'Who to reconnect with now'
complete -c netctl -n __netctl_needs_verb -a stats -d 'Interactions per week, mix, gave/got, leads'
complete -c netctl -n __netctl_needs_verb -a break -d 'Self-care breaks'
complete -c netctl -n __netctl_needs_verb -a sync -d 'Two-way sync with vdirs'
complete -c netctl -n __netctl_needs_verb -a help -d 'Describe a verb'
complete -c netctl -n '__netctl_verb_is help; and test (__netctl_positional_count) -eq 0' -a "$verbs"

# --help everywhere after the verb.
complete -c netctl -n 'not __netctl_needs_verb' -l help -d 'Show help'

# add, list, show, done, snooze, rm, edit
complete -c netctl -n '__netctl_verb_is add' -s d -l due -x -d 'Due at WHEN'
complete -c netctl -n '__netctl_verb_is add' -s i -l in -x -d 'Due DURATION from now'
complete -c netctl -n '__netctl_verb_is add' -s e -l every -x -d 'Recurring, every DURATION'
complete -c netctl -n '__netctl_verb_is add' -l fixed -d 'Keep a fixed rhythm'
complete -c netctl -n '__netctl_verb_is add' -l contact -x -a '(__netctl_dynamic contacts)' -d 'About this contact'
complete -c netctl -n '__netctl_verb_is add' -s q -l quiet -d 'Print only the id'

complete -c netctl -n '__netctl_verb_is list' -l overdue -d 'Only overdue'
complete -c netctl -n '__netctl_verb_is list' -l today -d 'Due today'
complete -c netctl -n '__netctl_verb_is list' -l week -d 'Due this week'
complete -c netctl -n '__netctl_verb_is list' -l all -d 'Include done ones'
complete -c netctl -n '__netctl_verb_is list' -l contact -x -a '(__netctl_dynamic contacts)' -d 'About this contact'
complete -c netctl -n '__netctl_verb_is list' -l json -d 'Print JSON'

complete -c netctl -n '__netctl_verb_is show; and test (__netctl_positional_count) -eq 0' -a '(__netctl_dynamic ids)'
complete -c netctl -n '__netctl_verb_is show' -l json -d 'Print JSON'
complete -c netctl -n '__netctl_verb_is done' -a '(__netctl_dynamic ids)'
complete -c netctl -n '__netctl_verb_is rm' -a '(__netctl_dynamic ids)'
complete -c netctl -n '__netctl_verb_is snooze; and test (__netctl_positional_count) -eq 0' -a '(__netctl_dynamic ids)'

complete -c netctl -n '__netctl_verb_is edit; and test (__netctl_positional_count) -eq 0' -a '(__netctl_dynamic ids)'
complete -c netctl -n '__netctl_verb_is edit' -l text -x -d 'New text'
complete -c netctl -n '__netctl_verb_is edit' -l due -x -d 'Due at WHEN'
complete -c netctl -n '__netctl_verb_is edit' -l in -x -d 'Due DURATION from now'
complete -c netctl -n '__netctl_verb_is edit' -l every -x -a none -d 'Recurring, every DURATION'
complete -c netctl -n '__netctl_verb_is edit' -l fixed -d 'Keep a fixed rhythm'
complete -c netctl -n '__netctl_verb_is edit' -l from-completion -d 'Count from completion'
complete -c netctl -n '__netctl_verb_is edit' -l contact -x -a '(__netctl_dynamic contacts; echo none\tunlink)' -d 'About this contact'

# status, reload, import, meetings, export
complete -c netctl -n '__netctl_verb_is status' -l json -d 'Print JSON'
complete -c netctl -n '__netctl_verb_is import' -a '(__fish_complete_suffix .ics)'
complete -c netctl -n '__netctl_verb_is meetings' -l week -d 'The next seven days'
complete -c netctl -n '__netctl_verb_is meetings' -l all -d 'Past and cancelled too'
complete -c netctl -n '__netctl_verb_is meetings' -l json -d 'Print JSON'
complete -c netctl -n '__netctl_verb_is export' -F
complete -c netctl -n '__netctl_verb_is export' -l vtodo -d 'Follow-ups only'
complete -c netctl -n '__netctl_verb_is export' -l vevent -d 'Meetings only'

# contact add|list|show|edit|rm|import
complete -c netctl -n '__netctl_needs_subverb contact' -a add -d 'Add a person'
complete -c netctl -n '__netctl_needs_subverb contact' -a list -d 'List contacts'
complete -c netctl -n '__netctl_needs_subverb contact' -a show -d 'Show one person'
complete -c netctl -n '__netctl_needs_subverb contact' -a edit -d 'Change a contact'
complete -c netctl -n '__netctl_needs_subverb contact' -a rm -d 'Remove a contact'
complete -c netctl -n '__netctl_needs_subverb contact' -a import -d 'Import a vCard file'

for sub in show edit rm
    complete -c netctl -n "__netctl_verb_is contact $sub; and test (__netctl_positional_count) -eq 0" -a '(__netctl_dynamic contacts)'
end
for sub in add edit
    complete -c netctl -n "__netctl_verb_is contact $sub" -l email -x -d 'An e-mail address'
    complete -c netctl -n "__netctl_verb_is contact $sub" -l org -x -d 'Organisation'
    complete -c netctl -n "__netctl_verb_is contact $sub" -l tie -x -a 'weak strong' -d 'Tie strength'
    complete -c netctl -n "__netctl_verb_is contact $sub" -l met -x -d 'Where you met'
    complete -c netctl -n "__netctl_verb_is contact $sub" -l tag -x -d 'A tag'
    complete -c netctl -n "__netctl_verb_is contact $sub" -l note -x -d 'A note'
    complete -c netctl -n "__netctl_verb_is contact $sub" -l handle -x -d 'The handle'
end
complete -c netctl -n '__netctl_verb_is contact add' -l every -x -a none -d 'Keep-in-touch cadence'
complete -c netctl -n '__netctl_verb_is contact add' -s q -l quiet -d 'Print only the handle'
complete -c netctl -n '__netctl_verb_is contact edit' -l every -x -a 'none default' -d 'Keep-in-touch cadence'
complete -c netctl -n '__netctl_verb_is contact edit' -l name -x -d 'New name'
complete -c netctl -n '__netctl_verb_is contact edit' -l rm-email -x -d 'Remove an e-mail address'
complete -c netctl -n '__netctl_verb_is contact edit' -l untag -x -d 'Remove a tag'
complete -c netctl -n '__netctl_verb_is contact edit' -l archive -d 'Hide, keeping the history'
complete -c netctl -n '__netctl_verb_is contact edit' -l unarchive -d 'Bring back'
complete -c netctl -n '__netctl_verb_is contact list' -l tie -x -a 'weak strong' -d 'Only weak or strong ties'
complete -c netctl -n '__netctl_verb_is contact list' -l tag -x -d 'Only with this tag'
complete -c netctl -n '__netctl_verb_is contact list' -l archived -d 'Include archived contacts'
complete -c netctl -n '__netctl_verb_is contact list' -l json -d 'Print JSON'
complete -c netctl -n '__netctl_verb_is contact show' -l json -d 'Print JSON'
complete -c netctl -n '__netctl_verb_is contact rm' -l archive -d 'Archive when there is history'
complete -c netctl -n '__netctl_verb_is contact rm' -l force -d 'Delete the history too'
complete -c netctl -n '__netctl_verb_is contact import' -a '(__fish_complete_suffix .vcf)'
complete -c netctl -n '__netctl_verb_is contact import' -l json -d 'Print JSON'

# log, unlog, suggest, stats
complete -c netctl -n '__netctl_verb_is log; and test (__netctl_positional_count) -eq 0' -a '(__netctl_dynamic contacts)'
complete -c netctl -n '__netctl_verb_is log' -s k -l kind -x -a 'coffee call email message meeting event intro' -d 'Kind of interaction'
complete -c netctl -n '__netctl_verb_is log' -l gave -x -d 'What you gave'
complete -c netctl -n '__netctl_verb_is log' -l got -x -d 'What you got'
complete -c netctl -n '__netctl_verb_is log' -l note -x -d 'A note'
complete -c netctl -n '__netctl_verb_is log' -l lead -d 'It brought a lead'
complete -c netctl -n '__netctl_verb_is log' -l when -x -d 'When it happened'
complete -c netctl -n '__netctl_verb_is log' -s q -l quiet -d 'Print only the id'
complete -c netctl -n '__netctl_verb_is unlog' -a '(__netctl_dynamic interactions)'
complete -c netctl -n '__netctl_verb_is suggest' -l json -d 'Print JSON'
complete -c netctl -n '__netctl_verb_is stats' -s w -l weeks -x -d 'How many weeks'
complete -c netctl -n '__netctl_verb_is stats' -l json -d 'Print JSON'

# break status|take|pause|resume
complete -c netctl -n '__netctl_needs_subverb break' -a status -d 'Where the work/break cycle stands'
complete -c netctl -n '__netctl_needs_subverb break' -a take -d 'Take a break now'
complete -c netctl -n '__netctl_needs_subverb break' -a pause -d 'Pause break reminders'
complete -c netctl -n '__netctl_needs_subverb break' -a resume -d 'Resume break reminders'
complete -c netctl -n '__netctl_verb_is break status' -l json -d 'Print JSON'

# sync status
complete -c netctl -n '__netctl_needs_subverb sync' -a status -d 'Linked vdirs, when last in step, conflicts'
complete -c netctl -n '__netctl_verb_is sync status' -l json -d 'Print JSON'
