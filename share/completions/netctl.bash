# bash completion for netctl(1)                              -*- shell-script -*-
# SPDX-License-Identifier: MIT
#
# Verbs, options and option values; follow-up ids, contact handles and
# interaction ids come from the running daemon through the hidden
# `netctl __complete ids|contacts|interactions` (one "VALUE<TAB>DESCRIPTION"
# per line; nothing, quickly, when netctld is not running).  Works with and
# without the bash-completion package.

# The candidates of `netctl __complete WHAT`, values only.
_netctl_dynamic() {
    local cmd=${_netctl_cmd:-netctl}
    "$cmd" __complete "$1" 2>/dev/null | cut -f1
}

_netctl() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    local _netctl_cmd=${COMP_WORDS[0]}
    # The netctl that is being completed, when it can be run as typed.
    [[ $_netctl_cmd == */* && -x $_netctl_cmd ]] || _netctl_cmd=netctl
    COMPREPLY=()

    local verbs="add list show done snooze rm edit status reload import meetings
        export contact log unlog suggest stats break sync help"
    local kinds="coffee call email message meeting event intro"
    local ties="weak strong"

    # --color=WHEN, whether bash split the word at "=" (COMP_WORDBREAKS
    # holds "=" by default) or not.
    if [[ $cur == --color=* ]]; then
        local w
        for w in auto always never; do
            [[ $w == "${cur#--color=}"* ]] && COMPREPLY+=("--color=$w")
        done
        return 0
    fi
    if [[ $cur == = && $prev == --color ]]; then
        COMPREPLY=(auto always never)
        return 0
    fi
    if [[ $prev == = ]] && ((COMP_CWORD >= 2)) && [[ ${COMP_WORDS[COMP_CWORD - 2]} == --color ]]; then
        mapfile -t COMPREPLY < <(compgen -W "auto always never" -- "$cur")
        return 0
    fi

    # The verb (and the contact/break subverb): the first words that are
    # not global options.
    local i w verb='' sub='' verb_at=0 nargs=0
    local takes_value=" -d --due -i --in -e --every --contact --text --email --rm-email --org --tie --met
        --tag --untag --note --handle --name -k --kind --gave --got --when -w --weeks "
    takes_value=${takes_value//$'\n'/ }
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        # The value of an option given as the next word is not an argument.
        if [[ -n $verb && $takes_value == *" ${COMP_WORDS[i - 1]} "* ]]; then
            continue
        fi
        if [[ $w == --color* || $w == = ]] ||
            { ((i >= 2)) && [[ ${COMP_WORDS[i - 1]} == = && ${COMP_WORDS[i - 2]} == --color ]]; }; then
            continue
        fi
        if [[ -z $verb ]]; then
            [[ $w == -* ]] && continue
            verb=$w verb_at=$i
        elif [[ ($verb == contact || $verb == break || $verb == sync) && -z $sub && $w != -* ]]; then
            sub=$w
        elif [[ $w != -* ]]; then
            nargs=$((nargs + 1))
        fi
    done

    if [[ -z $verb ]]; then
        if [[ $cur == -* ]]; then
            mapfile -t COMPREPLY < <(compgen -W "--help --version --color=" -- "$cur")
            [[ ${COMPREPLY[*]} == --color= ]] && compopt -o nospace 2>/dev/null
        else
            mapfile -t COMPREPLY < <(compgen -W "$verbs" -- "$cur")
        fi
        return 0
    fi

    # Values of options that take one.
    case $prev in
    --contact)
        local extra=
        [[ $verb == edit ]] && extra=none
        mapfile -t COMPREPLY < <(compgen -W "$(_netctl_dynamic contacts) $extra" -- "$cur")
        return 0 ;;
    --tie)
        mapfile -t COMPREPLY < <(compgen -W "$ties" -- "$cur")
        return 0 ;;
    --kind | -k)
        mapfile -t COMPREPLY < <(compgen -W "$kinds" -- "$cur")
        return 0 ;;
    --every)
        case $verb/$sub in
        edit/ | contact/add) mapfile -t COMPREPLY < <(compgen -W "none" -- "$cur") ;;
        contact/edit) mapfile -t COMPREPLY < <(compgen -W "none default" -- "$cur") ;;
        esac
        return 0 ;;
    --tag | --untag)
        return 0 ;;
    --due | -d | --in | -i | --text | --email | --rm-email | --org | --met | --note | --handle | --name | \
        --gave | --got | --when | --weeks | -w)
        return 0 ;;
    esac

    local opts='' args=''
    case $verb in
    add) opts="--due --in --every --fixed --contact --quiet --help" ;;
    list) opts="--overdue --today --week --all --contact --json --help" ;;
    show)
        opts="--json --help"
        ((nargs == 0)) && args=$(_netctl_dynamic ids) ;;
    done | rm)
        opts="--help"
        args=$(_netctl_dynamic ids) ;;
    snooze)
        opts="--help"
        ((nargs == 0)) && args=$(_netctl_dynamic ids) ;;
    edit)
        opts="--text --due --in --every --fixed --from-completion --contact --help"
        ((nargs == 0)) && args=$(_netctl_dynamic ids) ;;
    status) opts="--json --help" ;;
    reload) opts="--help" ;;
    meetings) opts="--week --all --json --help" ;;
    import | export)
        if [[ $verb == import ]]; then
            opts="--help"
        else
            opts="--vtodo --vevent --help"
        fi
        if [[ $cur != -* ]]; then
            compopt -o filenames 2>/dev/null
            if [[ $verb == import ]]; then
                mapfile -t COMPREPLY < <(compgen -d -- "$cur"; compgen -f -X '!*.[iI][cC][sS]' -- "$cur")
            else
                mapfile -t COMPREPLY < <(compgen -f -- "$cur")
            fi
            return 0
        fi ;;
    contact)
        if [[ -z $sub ]]; then
            mapfile -t COMPREPLY < <(compgen -W "add list show edit rm import" -- "$cur")
            return 0
        fi
        case $sub in
        add) opts="--email --org --tie --every --met --tag --note --handle --quiet --help" ;;
        list) opts="--tie --tag --archived --json --help" ;;
        show)
            opts="--json --help"
            ((nargs == 0)) && args=$(_netctl_dynamic contacts) ;;
        edit)
            opts="--name --handle --email --rm-email --org --tie --every --met --tag --untag --note
                --archive --unarchive --help"
            ((nargs == 0)) && args=$(_netctl_dynamic contacts) ;;
        rm)
            opts="--archive --force --help"
            ((nargs == 0)) && args=$(_netctl_dynamic contacts) ;;
        import)
            opts="--json --help"
            if [[ $cur != -* ]]; then
                compopt -o filenames 2>/dev/null
                mapfile -t COMPREPLY < <(compgen -d -- "$cur"; compgen -f -X '!*.[vV][cC][fF]' -- "$cur")
                return 0
            fi ;;
        esac ;;
    log)
        opts="--kind --gave --got --note --lead --when --quiet --help"
        ((nargs == 0)) && args=$(_netctl_dynamic contacts) ;;
    unlog)
        opts="--help"
        args=$(_netctl_dynamic interactions) ;;
    suggest) opts="--json --help" ;;
    stats) opts="--weeks --json --help" ;;
    break)
        if [[ -z $sub ]]; then
            mapfile -t COMPREPLY < <(compgen -W "status take pause resume" -- "$cur")
            return 0
        fi
        opts="--help"
        [[ $sub == status ]] && opts="--json --help" ;;
    sync)
        if [[ -z $sub ]]; then
            mapfile -t COMPREPLY < <(compgen -W "status" -- "$cur")
            return 0
        fi
        opts="--json --help" ;;
    help)
        ((nargs == 0 && COMP_CWORD == verb_at + 1)) && args=$verbs ;;
    esac

    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$opts --color=" -- "$cur")
    else
        mapfile -t COMPREPLY < <(compgen -W "$args" -- "$cur")
    fi
    return 0
}

complete -F _netctl netctl
