"""Words that point to suicidal thoughts or to a life in danger now: then 113 or 112 come first, alone.

Two concerns, each with its own first number (``../shared/contacts.md``):

- ``CRISIS``: wanting to die, not wanting to live or to be there any more, ending one's life, harming
  oneself, no reason to go on, others better off without one, suicidal thoughts, a method (pills saved,
  jumping, the train) — in Dutch and English, said of oneself or of someone else, in any tense
  ("hij zei dat hij niet meer wil leven"). 113 first.
- ``DANGER``: someone fallen who cannot get up, unresponsive, not breathing, bleeding badly, an overdose,
  fire or gas, violence happening now. 112 first.

The text is first made plain, so that a way of writing does not hide the words: Unicode compatibility
forms (NFKC), no zero-width characters or soft hyphens, no accents, look-alike letters from other
alphabets folded to Latin ones, digits inside words read as the letters they stand for ("w1l d00d"),
and single letters with spaces between them joined ("z e l f m o o r d"). Then phrases are matched as
patterns of words, not as one fixed word order. The strongest words also match with a typing error, or
split in two ("zelf moord").

The check errs on the side of showing the numbers: a false alarm costs a few lines, a missed one can
cost a life. ``bench/crisis.py`` measures it on a labelled set of sentences (``tests/data/``).
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from rapidfuzz import fuzz


class Concern(StrEnum):
    NONE = "none"
    CRISIS = "crisis"  # suicidal thoughts or self-harm: 113 first
    DANGER = "danger"  # a life in danger now: 112 first


INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e"
                                   "\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\ufeff"))
LOOK_ALIKES = str.maketrans({
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t",
    "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ӏ": "l", "ԛ": "q", "ԝ": "w", "ʟ": "l",
    # Greek
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u",
    "χ": "x", "ω": "w", "ς": "s", "σ": "s",
    # Latin letters that are not plain
    "ı": "i", "ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe",
})
DIGITS_AS_LETTERS = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s",
                                   "€": "e", "!": "i", "|": "l"})
DIALECT = {"nie": "niet", "nimmer": "nooit", "mn": "mijn", "m'n": "mijn", "gwn": "gewoon", "ff": "even",
           "idd": "inderdaad", "nx": "niks", "iem": "iemand", "mss": "misschien", "wnt": "want"}
"""Spoken and shortened forms, read as the words the patterns know."""
SENTENCE_END = re.compile(r"[.!?;:,\n]+")


def plain(text: str) -> str:
    """The text as the patterns read it: lower case, Latin letters and digits, one space between words, and
    " . " where a sentence or clause ended."""
    text = unicodedata.normalize("NFKC", text).translate(INVISIBLE).casefold().translate(LOOK_ALIKES)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    words = []
    for word in re.split(r"\s+", text):
        core = word.strip(".,;:!?\"'()[]")
        if re.search(r"[a-z]", core) and re.search(r"[0-9@$€|]|[a-z]![a-z]", core):
            word = word.replace(core, core.translate(DIGITS_AS_LETTERS))
        words.append(word)
    text = SENTENCE_END.sub(" . ", " ".join(DIALECT.get(word, word) for word in words))
    text = re.sub(r"[^a-z0-9. ]+", " ", text)
    text = re.sub(r"\b(?:[a-z] ){2,}[a-z]\b", lambda m: m[0].replace(" ", ""), text)  # "z e l f m o o r d"
    return _join_split(re.sub(r"\s+", " ", text).strip())


KEY_WORDS = frozenset({"dood", "dode", "leven", "levens", "sterven", "zelfmoord", "zelfdoding", "levensmoe",
                       "pillen", "springen", "trein", "mezelf", "zichzelf", "einde", "suicide", "suicidaal",
                       "suicidal", "die", "dead", "kill", "myself", "life"})
"""Words the patterns need whole: two pieces of one of them with a space between are read as the word."""


def _join_split(text: str) -> str:
    words, joined = text.split(" "), []
    while words:
        word = words.pop(0)
        if words and word + words[0] in KEY_WORDS and word not in KEY_WORDS and words[0] not in KEY_WORDS:
            word += words.pop(0)
        joined.append(word)
    return " ".join(joined)


STRONG = ("zelfmoord", "zelfdoding", "suicide", "suicidaal", "suicidal", "levensmoe")
"""Words that say it outright: also with one typing error in a long word, or split in two."""
FUZZY_FROM = 7

SELF = r"(?:mezelf|mijzelf|me zelf|m zelf|zichzelf|zich|hemzelf|haarzelf)"
WANT = r"(?:wil|wilt|wilde|wilden|willen|wou|wouden|zou|zouden|ga|gaat|gaan|denk|denkt|dacht|overweeg\w*)"
WHO = r"(?:ik|hij|ze|zij|je|jij|u|we|wij|men|mijn \w+|zijn \w+|haar \w+)"

CRISIS = [re.compile(p) for p in (
    # not wanting to live or to be there
    rf"\bniet meer (?:{WANT} )?(?:te )?leven\b",
    rf"\b{WANT} (?:\w+ )?niet meer (?:te )?leven\b",
    r"\bgeen zin (?:meer )?(?:in (?:het|mijn|m n) leven|om (?:nog )?(?:te|verder te) leven)\b",
    r"\bleven (?:heeft|had) (?:\w+ ){0,3}geen (?:enkele )?(?:zin|betekenis|doel)\b",
    r"\b(?:het )?leven (?:niet meer )?moe\b",
    rf"\b{WANT} (?:\w+ )?(?:er )?niet meer (?:te )?zijn\b",
    rf"\b(?:liefst|liever) (?:\w+ )?(?:{WHO} )?er niet meer (?:zijn|was|ben)\b",
    rf"\bals (?:{WHO}) er niet meer (?:was|ben|is|waren)\b",
    r"\bniet meer wakker (?:te )?(?:worden|word|wordt|werd)\b",
    # wanting to die
    r"\b(?:wil|wilt|wilde|wilden|willen|wou|wouden|zou|zouden) (?:\w+ )?(?:gewoon |graag |liever |het liefst |echt )?"
    r"dood\b(?! (?:van|aan|door|om|moe)\b)",
    rf"\bdood (?:{WANT}|te willen)\b",
    r"\b(?:wou|wilde|wenste) (?:\w+ )?dat (?:ik|hij|ze|zij) dood (?:was|ware|waren|is)\b",
    r"\bwas (?:ik|hij|ze|zij) (?:maar|nu maar) dood\b",
    r"\bdood (?:wil|wilt|willen|wilde) (?:gaan|zijn)\b",
    # ending one's life
    r"\ber een (?:eind|einde) aan (?:te )?(?:maken|maak|maakt|maakte|wil maken)\b",
    r"\bmaak\w* er (?:\w+ )?een (?:eind|einde) aan\b(?! (?:de|het|die|dat|deze|dit|een|aan)\b)",
    r"\b(?:eind|einde) (?:te )?(?:maken |maak |maakt )?aan (?:mijn|zijn|haar|m n|ons|hun|het) (?:eigen )?leven\b",
    r"\buit het leven (?:te )?(?:stappen|stap|stapt|stapte|gaan)\b",
    r"\bvan kant (?:\w+ )?(?:te )?(?:maken|maak|maakt)\b",
    rf"\b{SELF} (?:iets )?(?:\w+ )?(?:aan te doen|aandoen|aandoe|aandoet|aandeed)\b",
    rf"\b(?:{SELF} )(?:\w+ )?(?:pijn doen|pijn doe|snijden|snijd|snijdt|verwonden|ophangen|verdrinken)\b",
    rf"\b(?:snijd|snijdt|snij|sneed|verwond\w*|beschadig\w*) (?:\w+ )?{SELF}\b",
    rf"\b(?:doe|doet|deed) {SELF} pijn\b",
    # no reason to go on, others better off
    r"\bgeen (?:enkele )?(?:reden|zin) (?:meer )?om (?:nog )?(?:door te gaan|verder te (?:gaan|leven)|te leven)\b",
    r"\bwaarom (?:zou|moet) (?:ik|ik nog) (?:nog )?(?:door ?gaan|verder ?gaan|leven|blijven leven)\b",
    r"\bbeter af (?:\w+ )?zonder (?:mij|me)\b",
    r"\bhoef (?:ik )?niet meer(?: \.|$)",
    r"\bhoeft (?:voor|van) mij (?:\w+ )?niet meer\b",
    r"\bzie(?:n|t)? (?:het|het leven) (?:\w+ )?niet meer zitten\b",
    r"\b(?:het )?leven niet meer (?:zien|zie|ziet) zitten\b",
    r"\bniet (?:meer|verder|langer) (?:\w+ )?(?:te )?(?:leven|lefen|leve|leefe|leefn)\b",
    rf"\b{WANT} (?:\w+ )?(?:er |hier )?niet meer (?:hier |er )?(?:te )?zijn\b",
    r"\b(?:nooit meer|niet meer) wakker (?:te )?(?:worden|word|wordt)\b",
    r"\bals (?:ik|hij|ze|zij) (?:morgen |vannacht |straks )?niet (?:meer )?wakker (?:word|wordt|worden)\b",
    r"\bverdwijnen\b.*\b(?:voor altijd|voorgoed|voor eeuwig)\b",
    r"\b(?:wil|wilt|wilde|wou) (?:\w+ )?dat (?:het|alles) (?:\w+ )?(?:ophoudt|stopt)\b.*\b(?:voorgoed|voor altijd)\b",
    r"\bpunt achter (?:alles|mijn leven|het leven|zijn leven|haar leven)\b",
    r"\bpunt achter (?:\w+ )?zetten\b.*\bachter alles\b",
    r"\bafscheidsbrie\w*\b",
    r"\b(?:liefst|wil|wou|zou|wens)\b.*\b(?:in het graf|bij mijn (?:man|vrouw) (?:in de hemel|in het graf))\b",
    r"\b(?:verlang|verlangt|verlangde) (?:\w+ )?naar de dood\b",
    r"\bklaar met (?:het )?leven\b",
    r"\bwat heeft (?:het|het leven) (?:\w+ )?(?:nog )?(?:voor )?zin\b",
    r"\b(?:wens|wenst|wil|wilde) (?:\w+ )?(?:te )?sterven\b",
    r"\blaat (?:mij|me) (?:maar )?(?:heengaan|gaan sterven|doodgaan)\b",
    r"\bkappen met (?:alles|het leven|leven)\b",
    r"\bgeen zin meer in (?:om )?(?:te )?leven\b|\bgeen zin (?:meer )?in om te leven\b",
    r"\bniet (?:langer|meer) (?:\w+ )?te (?:leven|bestaan)\b",
    r"\bhoe (?:ik|hij|ze|zij) het (?:zou|zal|ga|gaat) doen\b.*\b(?:pillen|spoor|trein|touw|brug|dak)\b",
    rf"\b(?:kras\w*|krast|bekras\w*) (?:\w+ )?{SELF}\b|\b{SELF} (?:\w+ )?(?:kras\w*|krast)\b",
    r"\b(?:geprobeerd|probeerde|proberen|probeert) (?:\w+ )?(?:zich|zichzelf|mezelf|me) (?:\w+ )?"
    r"(?:op te hangen|van het leven te beroven|te doden|iets aan te doen)\b",
    r"\b(?:ophangen|verhangen|op te hangen)\b",
    r"\b(?:tegen een boom|tegen de vangrail|in de sloot) (?:te )?(?:rijden|rijd|rijdt)\b",
    r"\bde zee in (?:\w+ )?(?:lopen|loop|loopt)\b",
    r"\b(?:touw|strop) (?:gekocht|klaar|klaarliggen|klaargelegd)\b",
    r"\bniet meer terug(?:komen|keren)\b.*\b(?:zee|water|brug)\b|\b(?:zee|water)\b.*\bniet meer terug(?:komen|keren)\b",
    r"\b(?:begeer|wens) niet (?:langer|meer) te leven\b",
    r"\b(?:levenslust|levenswil) (?:is )?(?:\w+ )?(?:verdwenen|weg|op)\b",
    r"\b(?:is mij|is me|was mij) genoeg geweest\b",
    r"\b(?:doe|doet|deed) (?:mezelf|mijzelf|zichzelf) (?:\w+ )?pijn\b",
    r"\b(?:dat|als) ik er niet meer (?:wil|zou|ben|was)\b",
    # wishing to be dead, in any order of the words
    r"\b(?:wens|wenst|wenste|hoop|hoopt|hoopte|verlang\w*|wou|wilde|zou)\b(?: \w+){0,4} (?:ik|hij|ze|zij) "
    r"(?:\w+ ){0,2}dood\b",
    r"\b(?:liever|beter) dood\b",
    r"\bals (?:ik|hij|ze|zij) (?:straks |er |eenmaal )?dood (?:ben|is|was|zijn)\b",
    r"\bdood te gaan\b.*\bverlang|\bverlang\w*\b.*\bdood te gaan\b",
    rf"\b(?:{SELF}|me) (?:\w+ )?dood(?:maken|maak|maakt|hongeren|rijden|drinken|vriezen|schieten|slaan)\b",
    r"\b(?:wil|wilt|wilde|wou|zou) (?:\w+ ){0,3}dood(?:hongeren|rijden|drinken|maken|vriezen|schieten)\b",
    r"\bleven\b.*\beruit (?:te )?stappen\b|\beruit (?:te )?stappen\b.*\bleven\b",
    r"\bleven\b.*\bzin (?:\w+ )?verloren\b",
    r"\bklaar (?:\w+ )?met (?:het |mijn )?leven\b",
    r"\b(?:alleen maar |slechts |maar )?een last voor "
    r"(?:iedereen|jullie|mijn kinderen|de kinderen|anderen|mijn familie)\b",
    r"\b(?:horen|hoort|zien|ziet) (?:\w+ )?(?:niks|niets) meer van (?:me|mij)\b",
    r"\b(?:mijn )?laatste bericht\b|\bvaarwel\b|\bhet ga (?:jullie|je|u) goed\b",
    r"\b(?:niets|niks) meer (?:\w+ )?dat (?:me|mij) (?:hier )?(?:nog )?(?:houdt|tegenhoudt)\b",
    r"\b\w*pillen\b.*\bdood\b|\bdood\b.*\b\w*pillen\b",
    r"\b(?:gespaard|opgespaard|verzameld)\b(?: \w+){0,3} (?:\w*pillen|medicijnen|tabletten)\b",
    r"\b(?:\w*pillen|medicijnen|tabletten)\b(?: \w+){0,6} (?:gespaard|opgespaard|verzameld)\b",
    r"\bbewaard voor als\b",
    r"\b(?:spullen|bezittingen) (?:\w+ )?weg\b.*\bniet meer nodig\b",
    rf"\b{WANT} (?:\w+ ){{0,2}}niet meer (?:hier |er )?(?:te )?zijn\b",
    r"\ber (?:\w+ )?een (?:eind|einde) aan (?:te )?(?:maken|maak|maakt|maakte)\b",
    r"\bhoeft (?:het )?(?:voor|van) mij (?:\w+ )?niet meer\b",
    r"\b(?:stop|stopped) existing\b|\bnot (?:to )?exist any ?more\b|\bdisappear forever\b",
    r"\b(?:rather|better) be dead\b|\bbetter off (?:\w+ ){0,3}dead\b|\bif i (?:was|were) dead\b",
    # methods
    r"\bpillen (?:\w+ )?(?:gespaard|opgespaard|sparen|opsparen|verzameld|verzamelen)\b",
    r"\bspaar\w* (?:\w+ ){0,3}\w*(?:pillen|tabletten|medicijnen)\b",
    r"\bgenoeg (?:pillen|tabletten|medicijnen) om\b",
    r"\b(?:voor|onder) (?:de|een) (?:trein|metro|tram|vrachtwagen) (?:te )?(?:springen|spring|springt|gooien|lopen)\b",
    r"\b(?:springen|spring|springt) (?:voor|onder) (?:de|een) (?:trein|metro|tram)\b",
    r"\bvan (?:het|de|een) (?:dak|brug|flat|balkon|toren) (?:af )?(?:te )?(?:springen|spring|springt)\b",
    r"\b(?:springen|spring|springt) van (?:het|de|een) (?:dak|brug|flat|balkon)\b",
    r"\b(?:dak|brug|balkon|flat|raam|spoor)\b.*\b(?:denk|denkt|overweeg\w*|wil|wilt)\b.*\b(?:springen|spring)\b",
    r"\bzelfmoordgedachte\w*\b",
    # English
    r"\b(?:want|wants|wanted|wanting|going|plan|planning|ready) to die\b",
    r"\bwish (?:i|he|she) (?:were|was) dead\b",
    r"\b(?:kill|killing|killed|hurt|hurting|harm|harming|cut|cutting) (?:myself|himself|herself|themselves)\b",
    r"\bend(?:ing)? (?:my|his|her|their) (?:own )?life\b",
    r"\bend(?:ing)? it all\b",
    r"\btake (?:my|his|her|their) own life\b",
    r"\b(?:don t|do not|does not|doesn t|didn t|did not|no longer) want to (?:live|be alive)"
    r"(?: any ?more| anymore|$| \.)",
    r"\b(?:don t|do not|does not|doesn t) want to be (?:here|alive|around) any ?more\b",
    r"\bbetter off without me\b",
    r"\bno (?:reason|point) (?:to go on|to carry on|in living|to live|in going on|in life)\b",
    r"\bsee no (?:point|reason) (?:in|to) (?:living|live|going on)\b",
    r"\blife (?:has|had) no (?:meaning|point|purpose)\b",
    r"\b(?:saving|saved|stockpiling|hoarding) (?:up )?(?:my |his |her )?(?:pills|tablets|medication)\b",
    r"\b(?:jump|jumping|step|stepping|throw myself) (?:in front of|under|off) (?:a|the) "
    r"(?:train|bridge|building|roof)\b",
    r"\b(?:bought|got|have) a rope\b",
    r"\b(?:goodbye letters?|suicide notes?)\b",
)]

DANGER = [re.compile(p) for p in (
    r"\b(?:kan|kom|komt|kon|kunnen|komen) (?:\w+ )?(?:\w+ )?niet (?:meer )?(?:opstaan|op staan|overeind|omhoog|op)"
    r"(?: \.|$| en| van| uit)",
    r"\b(?:ligt|lig|liggen|lag) (?:al (?:\w+ )?)?op de (?:grond|vloer)\b",
    r"\breageert? niet(?: meer)?(?: \.|$| en| op (?:roepen|aanspreken|mij roepen))",
    r"\bbeweegt niet(?: meer)?\b",
    r"\bbewusteloos\b",
    r"\bademt (?:niet|nauwelijks)\b",
    r"\bniet (?:meer )?(?:ademen|adem halen)\b",
    r"\bbloedt (?:\w+ )?(?:erg|veel|hard|hevig)\b",
    r"\bpijn (?:op|in) de borst\b",
    r"\b(?:hartaanval|hartstilstand|beroerte|herseninfarct|overdosis|hartinfarct)\b",
    r"\b(?:zijn|haar|mijn|m n) (?:pillen|tabletten|medicijnen) (?:in ?genomen|geslikt|opgenomen)\b",
    r"\b(?:er is|er woedt|staat in|staan in) (?:\w+ )?brand\b",
    r"\bbrand in (?:het|de|mijn|ons|zijn|haar) (?:huis|woning|flat|keuken|gang|portiek|slaapkamer|kamer)\b",
    r"\ber brandt\b",
    r"\b(?:ik )?(?:zie|ruik) (?:\w+ )?(?:rook|gas)\b",
    r"\b(?:gaslucht|gaslek)\b",
    r"\b(?:wordt|word|worden) (?:\w+ )?(?:nu |net |op dit moment |hier )?(?:geslagen|mishandeld|aangevallen|gestoken|"
    r"gewurgd|geschopt)\b",
    r"\b(?:slaat|schopt|wurgt|steekt) (?:\w+ )?(?:hem|haar|me|mij|iemand) (?:nu|op dit moment|net)\b",
    r"\b(?:heeft|met) een (?:mes|pistool|wapen)\b",
    r"\bbedreig\w* (?:\w+ )?(?:me|mij|haar|hem|ons) met\b",
    r"\b(?:ik word|ik ben|we worden|hij wordt|ze wordt) (?:nu )?bedreigd\b",
    r"\broep\w* (?:\w+ )?om hulp\b",
    r"\bacuut gevaar\b",
    r"\blevensgevaar\b",
    r"\b(?:help|hulp)\b.*\bgevallen\b",
    r"\bgevallen\b.*\b(?:help|hulp)\b",
    r"\b(?:komt|kwam|zie) (?:\w+ )?rook\b|\brook (?:komt|uit)\b",
    r"\bhet brandt\b|\bbrandt (?:het|hier|er)\b",
    r"\b(?:pillen|tabletten|medicijnen|strip \w+) (?:in ?genomen|geslikt)\b",
    r"\bmond (?:hangt|staat) (?:\w+ )?scheef\b|\b(?:praat|spreekt) (?:ineens |opeens )?(?:onduidelijk|wartaal)\b",
    r"\b(?:arm|been) (?:\w+ )?niet (?:meer )?bewegen\b|\bkan (?:\w+ )?(?:\w+ )?(?:arm|been) niet (?:meer )?bewegen\b",
    r"\bslaat (?:zijn|haar) (?:vrouw|man|moeder|vader|kind|partner)\b.*\bnu\b",
    r"\bhoor (?:haar|hem) (?:nu )?(?:gillen|schreeuwen|om hulp)\b",
    r"\b(?:binnengedrongen|ingebroken terwijl)\b",
    r"\b(?:flauwgevallen|in elkaar gezakt|zakt in elkaar|zakte in elkaar)\b",
    r"\b(?:wordt|word) niet (?:meer )?wakker\b(?! (?:in de ochtend|s ochtends|op tijd))",
    r"\bniet (?:meer )?beweegt\b",
    r"\bdreig\w* (?:\w+ )?(?:neer te steken|te vermoorden|dood te maken|te slaan)\b",
    r"\bop de \w*vloer\b.*\b(?:ligt|lig|al uren)\b|\b(?:ligt|lig|liggen) (?:al \w+ )?op de \w*vloer\b",
    r"\bgeen lucht (?:meer )?(?:krijg|krijgt|krijgen)\b|\bkrijg\w* geen lucht\b",
    r"\bbloed (?:stopt|wil) niet\b",
    r"\bgrijpt naar (?:zijn|haar) borst\b",
    r"\b(?:stikt|stik|verslikt)\b|\bvast in (?:zijn|haar|mijn) keel\b",
    r"\bslaat (?:me|mij)\b|\bopgesloten\b.*\b(?:slaat|bang|bedreigt)\b",
    r"\b(?:arm|been)\b.*\bniet (?:meer )?bewegen\b",
    r"\bin de fik\b|\bvlam in de pan\b|\bvuur slaat\b|\bvlammen\b",
    r"\b(?:veel )?te veel (?:\w+ )?(?:ingenomen|ingespoten|geslikt)\b|"
    r"\b(?:ingenomen|ingespoten|geslikt)\b.*\bte veel\b",
    r"\bal (?:mijn|zijn|haar) \w+ (?:in ?genomen|ingespoten|geslikt)\b",
    r"\bkoolmonoxide\w*\b|\b(?:co|rook)melder (?:\w+ )?(?:piept|gaat af)\b",
    r"\bgeen adem\b|\blippen (?:\w+ )?blauw\b|\bblauw aan\b",
    r"\b(?:neergestoken|neergeschoten|doodgestoken|doodgeschoten)\b",
    # English
    r"\bisn t breathing\b|\bcollapsed\b|\bbreaking (?:in|into)\b|\bchoking\b|\bturning blue\b",
    r"\bgas smell\b|\bsmells? (?:of )?gas\b",
    r"\bsmoke (?:coming|is coming|pouring)\b|\bsmell (?:of )?gas\b",
    r"\b(?:hitting|beating|attacking|stabbing|choking) (?:\w+ )?(?:\w+ )?(?:right )?now\b",
    r"\bthreatening (?:me|him|her|us) with a (?:knife|gun|weapon)\b",
    r"\bchest pain\b",
    r"\b(?:face|mouth) (?:is )?drooping\b|\bcan t speak properly\b",
    r"\bbleeding (?:a lot|badly|heavily)\b|\bwon t wake up\b",
    r"\b(?:can t|cannot|can not|couldn t|could not) get up\b",
    r"\b(?:lying|lies|lay) on the floor\b",
    r"\bnot (?:responding|breathing|moving)\b",
    r"\bunconscious\b",
    r"\b(?:is|are) on fire\b",
    r"\bthere is a fire\b",
    r"\bfire in the (?:house|building|flat|kitchen)\b",
    r"\b(?:hitting|beating|attacking|stabbing|choking) (?:him|her|me|someone) (?:right )?now\b",
    r"\bbeing (?:attacked|beaten|hit|stabbed)\b",
    r"\b(?:took|taken|swallowed) all (?:my|his|her) (?:pills|tablets)\b",
    r"\boverdose\b",
    r"\bheart attack\b",
)]


def _strong_word(text: str) -> bool:
    if any(term in text.replace(" ", "") for term in STRONG):
        return True
    for word in text.split():
        for term in STRONG:
            if word.startswith(term) or (len(word) >= FUZZY_FROM and fuzz.ratio(word[:len(term) + 1], term) >= 85):
                return True
    return False


def concern(text: str) -> Concern:
    """Whether ``text`` points to a life in danger now (112 first), to suicidal thoughts (113 first), or neither."""
    normal = plain(text)
    if any(pattern.search(normal) for pattern in DANGER):
        return Concern.DANGER
    if _strong_word(normal) or any(pattern.search(normal) for pattern in CRISIS):
        return Concern.CRISIS
    return Concern.NONE


def points_to_crisis(text: str) -> bool:
    """Whether ``text`` mentions suicidal thoughts or acute danger."""
    return concern(text) is not Concern.NONE
