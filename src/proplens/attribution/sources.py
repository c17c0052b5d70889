"""Rules that name and type an attribution's source: person, organisation, government, news agency,
anonymous or unknown (from spaCy entity labels and small English lexicons)."""

from __future__ import annotations

import re

__all__ = ["SOURCE_TYPES", "source_type", "is_news_agency"]

SOURCE_TYPES = ("person", "organisation", "government", "news_agency", "anonymous", "unknown")

_AGENCIES = re.compile(
    r"\b(AFP|Agence France[- ]Presse|Reuters|AP|Associated Press|Xinhua|TASS|RIA Novosti|Interfax|Anadolu|"
    r"ANI|PTI|IRNA|Fars|Tasnim|Bloomberg|dpa|EFE|ANSA|Kyodo|Yonhap|UPI|AAP|Sputnik|Al Jazeera|BBC|CNN|"
    r"Fox News|MSNBC|NPR|PBS|CBS|NBC|ABC News|Politico|Axios|Breitbart|The Hill|Daily Mail|"
    r"(?:[A-Z][\w.]+ )*(?:Times|Post|Journal|Herald|Tribune|Guardian|Telegraph|Gazette|Daily|Week|Weekly|"
    r"News|Magazine|Press|Agency|Radio|Television|TV|Channel))\b"
)
_AGENCY_NOUNS = re.compile(
    r"\b(news agency|agency|newspaper|broadcaster|news outlet|outlet|channel|wire service|"
    r"paper|magazine|website|tabloid|daily|television|radio|state media|media|reporters?|correspondents?)\b",
    re.I,
)
_GOVERNMENT = re.compile(
    r"\b(government|ministry|minister(?:ial)?|department|administration|White House|Kremlin|Pentagon|"
    r"State Department|Foreign Office|Downing Street|Elysee|Élysée|cabinet|parliament|congress|senate|"
    r"council|embassy|consulate|police|army|military|armed forces|navy|air force|authorities|"
    r"prosecutors?|court|commission|agency for|bureau|FBI|CIA|NSA|DHS|EPA|FDA|CDC|NATO|UN|United Nations|"
    r"European Union|EU|state media|regime|presidency|governorate|municipality|city hall|mayor's office)\b",
    re.I,
)
_ANONYMOUS = re.compile(
    r"^(?:[\w.-]+(?:'s|’s) )?(?:(?:one|some|many|several|two|three|most|few|a few|all|both|none|each|any|"
    r"a number|dozens|hundreds|thousands) of )?"
    r"(?:the |a |an |some |many |several |other |local |senior |top |western |foreign |"
    r"unnamed |anonymous |unidentified |two |three |four |a few |various )*"
    r"(?:[a-z-]+,? (?:and|or) )?(?:[a-z-]+ )?(sources?|residents?|witness(?:es)?|officials?|people|persons?|"
    r"insiders?|aides?|observers?|analysts?|experts?|critics?|supporters?|opponents?|diplomats?|activists?|"
    r"locals?|villagers?|"
    r"eyewitness(?:es)?|someone|somebody|others?|many|some|they|one|staffers?|advisers?|advisors?|"
    r"a person|a spokesman|a spokeswoman|a spokesperson|spokesm[ae]n|users?|commentators?|members?|"
    r"investigators?|researchers?|scientists?|studies|polls?|surveys?|reports?)\b",
    re.I,
)
# unnamed people named by nationality: "a Frenchman", "at least one Briton arrested in July", "two Americans"
_QUANTITY = (
    r"(?i:a|an|one|the|two|three|four|five|six|seven|eight|nine|ten|several|some|many|dozens of|hundreds of|"
    r"\d+)"
)
_DEMONYM_MAN = re.compile(r"\b" + _QUANTITY + r" (?:[a-z-]+ )?[A-Z][a-z]+(?:man|woman|men|women)\b")
_DEMONYM_PEOPLE = re.compile(
    r"^(?:at least |only |just |about )?" + _QUANTITY + r" (?:[a-z-]+ )?[A-Z][a-z]+s?\b"
)
_PERSON_PRONOUNS = {"he", "she", "i", "him", "her", "me"}
_PLURAL_PRONOUNS = {"they", "we", "you", "it", "them", "us"}


def is_news_agency(text: str) -> bool:
    """Whether ``text`` names a news agency or media outlet (a small English lexicon)."""
    return bool(_AGENCIES.search(text)) or bool(_AGENCY_NOUNS.search(text))


def source_type(text: str, ent_labels: set[str]) -> str:
    """Classify a source from its text and the spaCy entity labels it contains.

    Parameters
    ----------
    text : str
        The source's text, e.g. ``"district governor Ali Khan"``.
    ent_labels : set of str
        spaCy NER labels of entities inside the source (``PERSON``, ``ORG``, ``GPE``, ``NORP``, ...).

    Returns
    -------
    str
        One of :data:`SOURCE_TYPES`.

    Examples
    --------
    >>> source_type("Reuters", {"ORG"})
    'news_agency'
    >>> source_type("residents", set())
    'anonymous'
    >>> source_type("district governor Ali Khan", {"PERSON"})
    'person'
    >>> source_type("At least one Frenchman arrested there in July", {"ORG", "DATE"})
    'anonymous'
    >>> source_type("Several international and local sources", set())
    'anonymous'
    >>> source_type("Trump's supporters", set())
    'anonymous'
    """
    t = text.strip()
    low = t.lower()
    if not t:
        return "unknown"
    if "PERSON" in ent_labels:
        return "person"
    if low in _PERSON_PRONOUNS:
        return "person"
    if (
        _AGENCIES.search(t)
        and ("ORG" in ent_labels or not ent_labels)
        or _AGENCY_NOUNS.search(low)
        and not _GOVERNMENT.search(t)
    ):
        return "news_agency"
    if _GOVERNMENT.search(t):
        return "government"
    if _ANONYMOUS.match(low):
        return "anonymous"
    if _DEMONYM_MAN.search(t) or (
        "NORP" in ent_labels and "ORG" not in ent_labels and _DEMONYM_PEOPLE.search(t)
    ):
        return "anonymous"
    if "ORG" in ent_labels or "NORP" in ent_labels:
        return "organisation"
    if "GPE" in ent_labels:
        return "government"
    if low in _PLURAL_PRONOUNS:
        return "unknown"
    if re.search(
        r"\b(spokes(?:man|woman|person)|governor|president|leader|chairman|director|chief|commander|"
        r"mayor|senator|general|secretary|candidate|ambassador|professor|doctor|lawyer|judge)\b",
        low,
    ):
        return "person" if re.search(r"\b(the|our|his|her|its)\b", low) or t[:1].isupper() else "anonymous"
    if "ORG" in ent_labels or any(w[:1].isupper() for w in t.split()[1:]):
        return "organisation"
    return "unknown"
