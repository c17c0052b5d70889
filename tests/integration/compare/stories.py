"""Invented versions of one invented story, for comparison tests (no corpus text)."""

ORIGINAL = (
    "Flood waters forced 1,200 families from their homes in the river valley on Tuesday, regional "
    "officials said.\n\n"
    "The river rose by three metres overnight after two days of heavy rain, the regional water agency said "
    "in a statement.\n\n"
    '"We have never seen the water come up this fast," said Maria Lopez, the mayor of Santa Clara. '
    '"Our priority is to get the elderly out first."\n\n'
    "Emergency crews evacuated a hospital and two schools, according to the civil protection service.\n\n"
    "Forecasters expect the rain to ease by Thursday.\n\n"
    "It is the worst flooding in the valley since 1987, when 14 people died.\n"
)

# adds framing (lexicon words), drops the water agency as a source, changes a number, adds a paragraph
REWRITE = (
    "Reckless officials left 1,500 families to fend for themselves as flood waters swept through the river "
    "valley on Tuesday.\n\n"
    '"We have never seen the water come up this fast," said Maria Lopez, the mayor of Santa Clara. '
    '"Our priority is to get the elderly out first."\n\n'
    "The river rose by three metres overnight after two days of heavy rain.\n\n"
    "Emergency crews evacuated a hospital and two schools, according to the civil protection service.\n\n"
    "Opposition leader Tomas Varga said the disastrous response showed the government had learned "
    "nothing.\n\n"
    "Forecasters expect the rain to ease by Thursday.\n"
)

# the original with its paragraphs in another order
REORDERED = (
    "Emergency crews evacuated a hospital and two schools, according to the civil protection service.\n\n"
    "Flood waters forced 1,200 families from their homes in the river valley on Tuesday, regional "
    "officials said.\n\n"
    "Forecasters expect the rain to ease by Thursday.\n\n"
    "The river rose by three metres overnight after two days of heavy rain, the regional water agency said "
    "in a statement.\n\n"
    '"We have never seen the water come up this fast," said Maria Lopez, the mayor of Santa Clara. '
    '"Our priority is to get the elderly out first."\n\n'
    "It is the worst flooding in the valley since 1987, when 14 people died.\n"
)

# one sentence split into two, two sentences merged into one, and a partial copy (last paragraph missing)
SPLIT_MERGED = (
    "Flood waters forced 1,200 families from their homes in the river valley on Tuesday. Regional "
    "officials said so.\n\n"
    "The river rose by three metres overnight after two days of heavy rain, the regional water agency said "
    "in a statement.\n\n"
    '"We have never seen the water come up this fast, and our priority is to get the elderly out first," '
    "said Maria Lopez, the mayor of Santa Clara.\n\n"
    "Emergency crews evacuated a hospital and two schools, according to the civil protection service.\n"
)
