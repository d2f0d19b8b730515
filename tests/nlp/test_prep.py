from __future__ import annotations

import functools

import pytest

from nlp.prep import Preparer


@pytest.fixture(scope="module")
def prep() -> Preparer:
    return Preparer("en")


def test_lemmas_and_shorthand(prep: Preparer) -> None:
    p = prep.prepare("pls fix the lites, they r not wrking")
    assert p.content == "please fix the light they be not work"


def test_form_view_masks_topic_words(prep: Preparer) -> None:
    p = prep.prepare("Why not add a bike lane on Main St?")
    assert "bike" not in p.form and "F_why F_not F_add" in p.form
    assert {"cue_why_not", "cue_question"} <= p.cues


def test_numbers_become_placeholders(prep: Preparer) -> None:
    assert prep.prepare("3 weeks at no. 12").content == "NUM week at no NUM"


# (text, the urgent rule that must fire, or None)
URGENT_CASES = [
    ("I can smell gas near the school", "gas_leak"),
    ("Live wire hanging from the pole on 5th", "live_wire"),
    ("the manhole cover is missing on Elm Rd", "open_manhole"),
    ("water is pouring into our basement", "flooding_home"),
    ("traffic lights are out at the junction", "traffic_signal_out"),
    ("a tree fell on a car on Oak Ave", "fallen_tree"),
    ("smoke coming out of the roof of the hall", "fire"),
    ("fire hydrant is leaking", None),
    ("thanks for fixing the gas leak last week", None),
    ("who do I call if I smell gas?", None),
    ("who do I call? I smell gas right now!", "gas_leak"),
    ("we got a flood of emails about bins", None),
    ("Gas leak on Elm St. Thanks.", "gas_leak"),
    # written for these rules (not taken from any held-out set)
    ("half the handrail on the canal footbridge is missing, it's dark there", "fall_from_height"),
    ("the trench outside the bakery isn't fenced, the fence blew over last night",
     "unguarded_site"),
    ("the junction box by the school gate is wide open with cables showing",
     "electrical_box"),
    ("my neighbour slipped on the black ice outside number 3 and is bleeding", "ice_falls"),
    ("needles in the sandpit at Fern Park playground", "playground_sharps"),
    ("the digger hit a gas pipe, you can hear it hissing", "gas_damage"),
    ("a loose rottweiler bit a jogger by the lake", "dog_attack"),
    ("builders smashing asbestos sheets, dust blowing over the houses", "asbestos"),
    ("the old oak is leaning more each hour and will come down on the shop", "tree_about_to_fall"),
    ("we all feel dizzy from the fumes of the factory next door", "chemical"),
    ("the lamp post outside no. 7 is leaning badly", "collapse"),  # "no." ends no sentence
    ("I'm drowning in paperwork this week", None),
    ("my inbox is on fire today", None),
    ("the burst pipe on Mill St is fixed, the crew did well and it's open again", None),
    # animals, people in danger, sea walls, resolved messages (written for these rules)
    ("a swarm of hornets is stinging shoppers outside the market", "animal_attack"),
    ("there's a python under the bed in the nursery", "animal_attack"),
    ("an old man is lying on the ground by the bus stop and can't get up", "person_in_danger"),
    ("we can hear a kid crying inside the locked car in the mall car park", "person_in_danger"),
    ("the contractor's excavator ripped the gas pipeline under Hill Rd", "gas_damage"),
    ("storm waves are crashing over the sea wall onto the promenade", "sea_surge"),
    ("the retaining wall behind the flats has a section missing and is bulging", "collapse"),
    ("can I keep a pet snake in my flat? is it allowed?", None),
    ("the bee hotel at the community garden is lovely", None),
    ("that junction is a death trap, please redesign it", None),
    ("where do I buy a CO alarm battery?", None),
    ("ignore my earlier message about the gas smell, it was just the cooker", None),
    ("read a news story about a sinkhole in another country, do we check our roads?", None),
    # emergencies beyond broken infrastructure (written for these rules)
    ("a man at the bus station is choking and turning blue", "medical"),
    ("someone is standing on the ledge of the car park roof saying he wants to end it all",
     "self_harm"),
    ("guy waving a machete outside the chemist on Bell St", "weapon"),
    ("abandoned suitcase under the seats at the ferry terminal, owner ran off",
     "suspicious_object"),
    ("a dozen pupils vomiting after the school lunch today", "mass_illness"),
    ("a boy is struggling in the water off the jetty", "water_rescue"),
    ("my grandmother has dementia and wandered off from the care home an hour ago",
     "missing_person"),
    ("power cut since noon and my mother's oxygen machine has 30 minutes of battery",
     "vulnerable_without_power"),
    ("a tanker is on its side on the ring road", "crowd_and_transport"),
    ("a roofer fell off the scaffolding at the new library", "falls_and_shafts"),
    ("an e-bike battery charging in the stairwell is smoking and popping", "fire"),
    ("our eyes are burning from the fumes of the tannery", "chemical"),
    ("a rabid fox is biting at people in the park", "animal_disease"),
    ("the traffic is killing me and I'm sick of these queues", None),
    ("can we have a defibrillator and free first aid training at the library?", None),
    ("small fire in the bin last night, the fire brigade put it out, please replace the bin",
     None),
    ("Suggestion: free swimming lessons, many kids here can't swim", None),
    ("this new burger place is the bomb", None),
    ("the kids found a rusty old shell by the canal and are hitting it with stones",
     "suspicious_object"),
    ("a man is ramming parked cars with a pickup outside the mall", "crowd_and_transport"),
    ("the scaffolding on the bank is shaking in the wind", "collapse"),
    ("petrol at the Shell garage on Hill Rd costs too much", None),
    ("will residents be told before the crane works start next year?", None),
    ("the bottle of gas under the stall is hissing and people are queueing next to it",
     "gas_leak"),
    ("we all have headaches and feel dizzy since the new heater went on", "gas_leak"),
    ("the retaining wall by the school path is bulging out today", "collapse"),
    ("three sheep running loose on the bypass", "crowd_and_transport"),
    ("stray cattle on the road near the market again", None),
    ("a toddler is walking along the hard shoulder of the motorway", "crowd_and_transport"),
    ("thick grey cloud coming out of the tunnel and cars have stopped inside",
     "crowd_and_transport"),
    ("a man went through the ice on the boating lake", "crowd_and_transport"),
    ("the old mining pits need a fence", None),
    # described without the hazard's name, and their lookalikes (written for these rules)
    ("workmen cut a pipe outside the bakery, loud hissing and a smell", "gas_damage"),
    ("hissing from the meter cupboard and a funny smell on the landing", "gas_leak"),
    ("sulphur stink getting stronger all along Mill Lane", "gas_leak"),
    ("our CO detector is going off and my son feels drowsy", "gas_leak"),
    ("please hand out free CO detectors to every tenant", None),
    ("the carbon monoxide levels from traffic are bad for our health", None),
    ("two kids walking on the tracks near the depot", "crowd_and_transport"),
    ("stage fireworks fired sideways at the audience", "crowd_and_transport"),
    ("the signals at the ring road junction went dark", "traffic_signal_out"),
    ("green man showing while cars have green at the school crossing",
     "traffic_signal_out"),
    ("how long does it take to fix signals that go dark?", None),
    ("surfer struggling out past the pier, nobody on the beach", "water_rescue"),
    ("a bear is in the kindergarten yard", "animal_attack"),
    ("I can't bear the school run traffic", None),
    ("my neighbour is stuck in a lift with her baby", "injury"),
    ("a cyclist fell in the canal by the lock", "injury"),
    ("a branch fell in my yard, can you collect it?", None),
    ("the balcony of flat 3 is coming away from the wall", "collapse"),
    ("the bent stop sign is still standing but hard to read", None),
    ("a woman in labour on the bus, no ambulance yet", "medical"),
    ("the mall fountain floods the path most evenings", None),
    ("the kids scream next door most nights and tonight someone is being beaten", "weapon"),
    # routine reports in danger words, and the emergencies beside them
    ("burnt out van on the verge at Mill Lane for a month now", None),
    ("loose paving slabs outside the library, they wobble", None),
    ("fallen leaves are clogging the gutters on Ash Walk", None),
    ("the no entry sign is leaning after the storm", None),
    ("big shop sign hanging off one bracket over the bus queue", "collapse"),
    ("raw sewage coming up through our kitchen sink", "flooding_home"),
    ("water coming up through a crack in the road for a week", None),
    ("live wires hanging out of the lamp post base, sparking every time it rains", "live_wire"),
    ("heating is out in the tower and it's minus 15, lots of seniors here",
     "vulnerable_without_power"),
    ("hole in the footbridge deck, you can see the river through it", "fall_from_height"),
    ("a big branch is hanging broken over the bus stop, held by a strip of bark",
     "tree_about_to_fall"),
]

GERMAN_CASES = [
    ("Baum auf ein Auto in der Lindenstraße gestürzt", "fallen_tree"),
    ("Glatteis vor der Apotheke, zwei Leute sind ausgerutscht", "ice"),
    ("Das Geländer an der Treppe zum Fluss ist abgebrochen", "collapse"),
    ("Mein Nachbar steckt im Lift fest", "injury"),
    ("Wasserrohrbruch vor Hausnummer 4", "burst_main"),
    ("Kaminbrand im Nachbarhaus, Funken fliegen aufs Dach", "compound_danger"),
    ("Die Gasflasche am Marktstand zischt und riecht", "compound_danger"),
    ("Kinder spielen auf dem dünnen Eis am See, es knackt schon", "people_in_danger"),
    ("Diesel ausgelaufen auf der Kreuzung, Motorräder rutschen", "spill"),
    ("Mir ist schwindelig von den vielen Formularen, haha", None),
    ("Im Museum gibt es eine Ausstellung über den großen Brand von 1842", None),
    ("Wie melde ich eigentlich Gasgeruch?", None),
    ("Der Brand vom letzten Jahr ist längst gelöscht, danke an die Feuerwehr", None),
    ("Hornissenschwarm greift Radfahrer an der Brücke an", "animals"),
    ("Eine alte Frau liegt am Boden vor der Post und kommt nicht hoch", "people_in_danger"),
    ("Schild am Rathaus hängt nur noch an einer Schraube über dem Eingang", "compound_danger"),
    ("Die Stromleitungen hängen nach dem Unwetter ganz tief über der Straße", "compound_danger"),
    ("Das Gasleck in der Parkstraße wurde gestern behoben, danke!", None),
    ("Im Altenheim ist die Heizung ausgefallen und draußen sind minus zehn Grad",
     "vulnerable_without_supply"),
    ("Auf der Baustelle liegt eine Fliegerbombe, die Bagger arbeiten weiter", "public_danger"),
    ("Ein Mann sitzt außen am Geländer der Brücke und will springen", "public_danger"),
    ("Unser Trinkwasser riecht nach Benzin", "gas_and_water_supply"),
    ("Ich ertrinke in Formularen, wer hilft mir?", None),
    ("Am Stadion vermisst man Fahrradständer", None),
    ("Der Fluss steigt weiter und steht schon im Garten", "rising_water"),
    ("Die Fußgängerbrücke schwankt mit den vielen Leuten drauf", "structure_moving"),
    ("Ein Container liegt quer auf dem Gleis, die nächste Straßenbahn kommt gleich",
     "on_the_line"),
    ("Ein Kleinkind läuft allein an der Hauptstraße herum", "people_exposed"),
    ("Stechender Chlorgeruch im Hallenbad, die Kinder husten", "people_exposed"),
    ("Nach dem Schwimmen brennen mir jedes Mal die Augen", None),
    ("Das Thema brennt mir schon lange unter den Nägeln", None),
    ("Die Feuerwehrübung war toll, die Kinder waren Feuer und Flamme", None),
    ("In der Zeitung stand, dass in der Nachbarstadt eine Halle eingestürzt ist", None),
    # written for the rules from dev set DE2, and keyboards without umlauts
    ("Kühe stehen auf den Gleisen hinter dem Bahnhof", "on_the_line"),
    ("Kuehe stehen auf den Gleisen hinter dem Bahnhof", "on_the_line"),
    ("Die Laterne vor Nummer 5 sprüht Funken aus der Klappe", "public_danger"),
    ("Im Keller pfeift die Leitung und es riecht süßlich", "public_danger"),
    ("Seit dem Morgen haben wir Kopfschmerzen, die Therme brummt komisch", "public_danger"),
    ("Ein Mann treibt im Kanal und bewegt die Arme kaum", "public_danger"),
    ("Das Flachdach der Halle biegt sich durch, drinnen ist Training", "public_danger"),
    ("Der Ast über dem Spielplatz ist angebrochen und hält nur noch an der Rinde",
     "public_danger"),
    ("An der Ampel stehen oft Leute und drücken den Knopf, die Schaltung ist zu langsam",
     None),
    ("Die Straßenbahngleise in der Kurve sind für Radfahrer gefährlich", None),
]


@pytest.mark.parametrize(("text", "rule"), GERMAN_CASES)
def test_german_urgent_rules(text: str, rule: str | None) -> None:
    rules = _german().prepare(text).urgent_rules
    if rule is None:
        assert rules == ()
    else:
        assert rule in rules


@functools.cache
def _german() -> Preparer:
    return Preparer("de")


@pytest.mark.parametrize(("text", "rule"), URGENT_CASES)
def test_urgent_rules(prep: Preparer, text: str, rule: str | None) -> None:
    rules = prep.prepare(text).urgent_rules
    if rule is None:
        assert rules == ()
    else:
        assert rule in rules


def test_batch_equals_single(prep: Preparer) -> None:
    texts = ["bin not emptied", "", "x" * 20_000, "When is bin day?"]
    batch = prep.prepare_many(texts)
    assert [prep.prepare(t) for t in texts] == batch
    assert batch[1].content == ""


def test_texts_prepared_together_stay_apart(prep: Preparer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Many texts share one Doc: no rule may join the end of one to the start of the next,
    and each text keeps its own words, sentences and rules, whatever the group size."""
    texts = ["the bins smell", "gas leak on Elm St", "", "I can smell", "gas prices are high",
             "Don't worry.", "  ", "last week", "a wire is down", "and sparking now"] * 30
    single = [prep.prepare(t) for t in texts]
    assert single[3].urgent_rules == () and single[4].urgent_rules == ()
    for size in (1, 60, 1_000, 100_000):
        monkeypatch.setattr("nlp.prep.JOIN_CHARS", size)
        assert prep.prepare_many(texts) == single


def test_german_pipeline() -> None:
    de = Preparer("de")
    p = de.prepare("Die Radwege sind kaputt und es riecht nach Gas!")
    assert "radweg" in p.content or "radwege" in p.content
    assert "gas_leak" in p.urgent_rules
    assert "cue_fault" in p.cues


def test_language_without_lookups_still_works() -> None:
    p = Preparer("xx").prepare("Hello there, something")  # multi-language blank pipeline
    assert p.content == "hello there something"


def test_operator_pipeline_with_ner_redacts_names(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """SPACY_PIPELINE may name an installed pipeline (a package or a folder)."""
    import spacy

    from nlp.redact import redact

    trained = spacy.blank("en")
    ruler = trained.add_pipe("entity_ruler", name="ner")
    ruler.add_patterns([{"label": "PERSON", "pattern": "Asha Rao"}])  # type: ignore[attr-defined]
    trained.to_disk(tmp_path / "pipeline")
    prep = Preparer("en", str(tmp_path / "pipeline"))
    assert prep.has_ner
    text = "Asha Rao says the bins on Elm St are full, call 07700 900123"
    assert redact(text, prep.person_spans) == (
        "[PERSON] says the bins on Elm St are full, call [PHONE]")
    assert prep.prepare("gas smell in the hall").urgent_rules == ("gas_leak",)
