"""What the word migrations (0006 on) share: a version's new lexicon words brought into a
database seeded before it. Frozen with them: a later version's change to how words are
added belongs in its own function, not here (Django's loader skips this module: its name
starts with "_")."""

WEIGHTS = {"term": 3.0, "synonym": 2.0, "colloquial": 2.0, "cue": 0.7}


def adder(new_words):
    """A RunPython function adding `new_words` ({subtype code: {kind: "word word …"}}) only
    to a subtype whose words were seeded (a subtype with none gets the whole file from the
    seed); a word already there keeps its kind and weight."""

    def add_words(apps, schema_editor):
        subtype = apps.get_model("incidents", "Subtype")
        term = apps.get_model("incidents", "LexiconTerm")
        seeded = set(term.objects.exclude(subtype=None).values_list("subtype__code", flat=True).distinct())
        pks = dict(subtype.objects.filter(code__in=seeded).values_list("code", "pk"))
        rows = []
        for code, kinds in new_words.items():
            if code not in pks:
                continue
            there = set(term.objects.filter(subtype_id=pks[code]).values_list("word", flat=True))
            for kind, words in kinds.items():
                for word in words.split():
                    if word not in there:
                        there.add(word)
                        rows.append(term(subtype_id=pks[code], word=word, kind=kind, weight=WEIGHTS[kind]))
        term.objects.bulk_create(rows, ignore_conflicts=True)

    return add_words


def rekind(apps, changes):
    """Give seeded words another kind: `changes` is [(subtype code, words, kind now, kind
    wanted)]; a word changes only while it keeps the kind and weight it was seeded with (an
    admin's edit stays)."""
    term = apps.get_model("incidents", "LexiconTerm")
    for code, words, now, wanted in changes:
        term.objects.filter(subtype__code=code, word__in=words, kind=now, weight=WEIGHTS[now]).update(
            kind=wanted, weight=WEIGHTS[wanted]
        )


def retire(apps, removals):
    """Take seeded words off a subtype (another subtype has them now): `removals` is
    [(subtype code, words, kind seeded)]; a word goes only while it keeps the kind and weight
    it was seeded with (an admin's edit stays)."""
    term = apps.get_model("incidents", "LexiconTerm")
    for code, words, kind in removals:
        term.objects.filter(subtype__code=code, word__in=words, kind=kind, weight=WEIGHTS[kind]).delete()
