"""The propaganda technique inventory (PTC v2 / SemEval-2020 Task 11, 14 classes).

Ids are the PTC label strings so that label files round-trip unchanged. Names,
definitions and examples are written for proplens (the examples are invented).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Technique", "TECHNIQUES", "TECHNIQUE_IDS", "get_technique", "INVENTORY_VERSION"]

INVENTORY_VERSION = "ptc-v2"


@dataclass(frozen=True)
class Technique:
    """One propaganda technique.

    Parameters
    ----------
    id : str
        The PTC label string, e.g. ``"Loaded_Language"``.
    name : str
        A human-readable name.
    definition : str
        What the technique does, in one or two sentences.
    example : str
        A short invented example.
    color : str
        A CSS colour used by every renderer, so a technique looks the same everywhere.
    """

    id: str
    name: str
    definition: str
    example: str
    color: str

    def to_dict(self) -> dict[str, str]:
        return {
            "id": self.id,
            "name": self.name,
            "definition": self.definition,
            "example": self.example,
            "color": self.color,
        }


TECHNIQUES: tuple[Technique, ...] = (
    Technique(
        "Loaded_Language",
        "Loaded language",
        "Words or phrases with strong emotional connotations, chosen to sway the reader rather than to "
        "inform.",
        "The council's reckless, disastrous plan will gut our town.",
        "#e6194b",
    ),
    Technique(
        "Name_Calling,Labeling",
        "Name calling / labeling",
        "Attaching a label the audience fears, hates or loves to a person or group instead of arguing "
        "about what they do.",
        "The so-called experts and their puppet mayor want your money.",
        "#f58231",
    ),
    Technique(
        "Repetition",
        "Repetition",
        "Repeating the same message or phrase over and over so that the audience comes to accept it.",
        "Safe streets now. We need safe streets now. Vote for safe streets now.",
        "#3cb44b",
    ),
    Technique(
        "Doubt",
        "Doubt",
        "Questioning the credibility of someone or something without offering evidence.",
        "Can we really trust a minister who claims he never saw the report?",
        "#4363d8",
    ),
    Technique(
        "Exaggeration,Minimisation",
        "Exaggeration / minimisation",
        "Making something look much bigger, better or worse than it is, or much smaller and less important.",
        "This is the worst decision in the history of the country.",
        "#911eb4",
    ),
    Technique(
        "Appeal_to_fear-prejudice",
        "Appeal to fear / prejudice",
        "Building support for an idea by raising anxiety or panic about an alternative, often by playing "
        "on prejudice.",
        "If this bill passes, criminals will be walking into your home next week.",
        "#800000",
    ),
    Technique(
        "Flag-Waving",
        "Flag-waving",
        "Justifying an idea by appealing to patriotism or to the identity of a group.",
        "Every true patriot knows our nation deserves this wall.",
        "#0082c8",
    ),
    Technique(
        "Causal_Oversimplification",
        "Causal oversimplification",
        "Assuming a single cause for an outcome that has many, or blaming one party for a complex problem.",
        "Prices went up because the new mayor took office.",
        "#aa6e28",
    ),
    Technique(
        "Slogans",
        "Slogans",
        "A brief, striking phrase that works through emotion and repetition rather than argument.",
        "Take back our harbour!",
        "#008080",
    ),
    Technique(
        "Appeal_to_Authority",
        "Appeal to authority",
        "Claiming that something is true only because an authority or expert says so, without other "
        "evidence.",
        "A famous professor says the plan cannot fail, so it will work.",
        "#6b8e23",
    ),
    Technique(
        "Black-and-White_Fallacy",
        "Black-and-white fallacy",
        "Presenting two alternatives as the only options when more exist.",
        "Either you back the budget or you want the schools to close.",
        "#808080",
    ),
    Technique(
        "Thought-terminating_Cliches",
        "Thought-terminating cliché",
        "A short, generic phrase that discourages critical thought and ends the discussion.",
        "It is what it is.",
        "#d2691e",
    ),
    Technique(
        "Whataboutism,Straw_Men,Red_Herring",
        "Whataboutism / straw man / red herring",
        "Deflecting criticism by pointing at the opponent's faults, misrepresenting their position, or "
        "changing the subject.",
        "Why talk about my expenses when the other party wasted millions?",
        "#c71585",
    ),
    Technique(
        "Bandwagon,Reductio_ad_hitlerum",
        "Bandwagon / reductio ad Hitlerum",
        "Urging people to join because everyone else does, or rejecting an idea because a hated group "
        "supports it.",
        "Everyone in town already signed the petition; don't be left behind.",
        "#2f4f4f",
    ),
)

TECHNIQUE_IDS: tuple[str, ...] = tuple(t.id for t in TECHNIQUES)
_BY_ID = {t.id: t for t in TECHNIQUES}
# Accept the spelling variants seen in SemEval material ("Minimization", "Reductio ad hitlerum").
_ALIASES = {
    "Exaggeration,Minimization": "Exaggeration,Minimisation",
    "Bandwagon,Reductio_ad_Hitlerum": "Bandwagon,Reductio_ad_hitlerum",
}


def get_technique(technique_id: str) -> Technique:
    """Return the technique with this PTC id (a few known spelling variants accepted).

    Raises
    ------
    UnknownTechniqueError
        If the id names no technique.
    """
    key = _ALIASES.get(technique_id, technique_id)
    try:
        return _BY_ID[key]
    except KeyError:
        from .errors import Errors, UnknownTechniqueError

        raise UnknownTechniqueError(
            Errors.P002.format(value=technique_id, options=", ".join(TECHNIQUE_IDS))
        ) from None
