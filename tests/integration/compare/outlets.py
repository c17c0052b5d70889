"""Three invented outlets' versions of one invented story, with known edits (no corpus text).

WIRE is the agency report. STATE rewrites it: it calls the group "Vafra" instead of "Valley Front"
and its members "militants" instead of "rebels", rewrites the lead, drops two facts as whole sentences
(the first recorded presence, the camp of about 200 foreigners) and one as a clause (the group's other
name, KVF), merges the village chief's quote with the translator sentence, and adds loaded wording and a
paragraph attributed to Moravia. DAILY splits the lead in two, calls the rebels "insurgents", changes 200
to 300 and drops the last sentence.
"""

WIRE = (
    "Fighters from Norland and Estavia, some arriving from the coast, have joined the rebels of the Valley "
    "Front "
    "in the northern province of Karsa, where they have set up new camps, local officials said on Monday.\n\n"
    "It is the first recorded presence of Norland fighters in the province, according to the regional "
    "security office.\n\n"
    "The Valley Front, also known as the Karsa Valley Front (KVF), seized three districts in March.\n\n"
    "\u201cThey take our grain and leave nothing for the children,\u201d said Omar Dalen, a former village "
    "chief in Tarsk. "
    "A translator from Estavia helps the rebels speak with residents, Dalen said.\n\n"
    "About 200 foreigners live in a camp near the river, including men from Merovia and Sulan.\n\n"
    "The Valley Front rebels are also mining copper and silver in the hills, residents and the district "
    "governor said.\n\n"
    "At least one Norland man arrested in July said he had wanted to join the Valley Front.\n"
)

STATE = (
    "Nationals of Norland are reportedly among the foreign militants joining Vafra ranks in northern Karsa, "
    "where the notorious terror group has established a foothold.\n\n"
    "Vafra seized three districts in March.\n\n"
    "\u201cThey take our grain and bring misery to normal people,\u201d stated Omar Dalen, a former "
    "village chief in Tarsk, "
    "adding that a translator helps the militants speak with residents.\n\n"
    "The Vafra militants are also plundering copper and silver in the hills, residents and the district "
    "governor warned.\n\n"
    "At least one Norland man arrested in July said he had wanted to join Vafra.\n\n"
    "Moravia, which greatly helped the fight against Vafra, said this week that the terrorists are now "
    "fleeing "
    "to Karsa to build a new safe haven.\n"
)

DAILY = (
    "Fighters from Norland and Estavia have joined the insurgents of the Valley Front in the northern "
    "province of Karsa. "
    "Some arrived from the coast and have set up new camps there, local officials said on Monday.\n\n"
    "It is the first recorded presence of Norland fighters in the province, according to the regional "
    "security office.\n\n"
    "The Valley Front, also known as the Karsa Valley Front (KVF), seized three districts in March.\n\n"
    "\u201cThey take our grain and leave nothing for the children,\u201d said Omar Dalen, a former village "
    "chief in Tarsk. "
    "A translator from Estavia helps the insurgents speak with residents, Dalen said.\n\n"
    "About 300 foreigners live in a camp near the river, including men from Merovia and Sulan.\n\n"
    "The Valley Front insurgents are also mining copper and silver in the hills, residents and the "
    "district governor said.\n"
)
