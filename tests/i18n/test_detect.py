"""The language guess on short texts in the seven languages of the site."""
# ruff: noqa: E501 (whole sentences, one a line, read better than cut ones)

import pytest

from campaign.i18n.detect import detect_language, proposed_language

# Openings of stories, 60 to 100 characters, written for this test (not taken from anywhere).
SHORT_TEXTS = {
    "en": [
        "I left my town when I was nineteen and walked for many days before we reached the border.",
        "My mother still calls me every Sunday. She asks if I eat well and if the winter is cold here.",
        "The first job I found was in a bakery. I started at four in the morning and I loved the smell.",
        "We arrived with one bag each. My son was six and he asked every day when we would go home.",
        "Learning the language was the hardest part, but my neighbours were patient and kind to me.",
    ],
    "ar": [
        "غادرت مدينتي عندما كان عمري تسعة عشر عاما ومشيت أياما كثيرة حتى وصلنا إلى الحدود.",
        "ما زالت أمي تتصل بي كل يوم أحد، وتسألني هل آكل جيدا وهل الشتاء بارد هنا.",
        "أول عمل وجدته كان في مخبز. كنت أبدأ في الرابعة صباحا وأحببت رائحة الخبز.",
        "وصلنا ومع كل واحد منا حقيبة واحدة. كان ابني في السادسة ويسأل كل يوم متى نعود.",
        "كان تعلم اللغة أصعب شيء، لكن جيراني كانوا صبورين ولطفاء معي منذ اليوم الأول.",
    ],
    "fa": [
        "وقتی نوزده سالم بود شهرم را ترک کردم و روزهای زیادی پیاده رفتیم تا به مرز رسیدیم.",
        "مادرم هنوز هر یکشنبه به من زنگ می\u200cزند. می\u200cپرسد خوب غذا می\u200cخورم و آیا زمستان اینجا سرد است.",
        "اولین کاری که پیدا کردم در یک نانوایی بود. ساعت چهار صبح شروع می\u200cکردم و بوی نان را دوست داشتم.",
        "ما هر کدام با یک کیف رسیدیم. پسرم شش ساله بود و هر روز می\u200cپرسید کی به خانه برمی\u200cگردیم.",
        "یاد گرفتن زبان سخت\u200cترین بخش بود، اما همسایه\u200cهایم با من صبور و مهربان بودند.",
    ],
    "es": [
        "Dejé mi pueblo cuando tenía diecinueve años y caminé muchos días hasta llegar a la frontera.",
        "Mi madre todavía me llama cada domingo. Me pregunta si como bien y si aquí hace frío.",
        "El primer trabajo que encontré fue en una panadería. Empezaba a las cuatro de la mañana.",
        "Llegamos con una sola maleta cada uno. Mi hijo tenía seis años y preguntaba cuándo volveríamos.",
        "Aprender el idioma fue lo más difícil, pero mis vecinos fueron pacientes y amables conmigo.",
    ],
    "fi": [
        "Lähdin kotikaupungistani yhdeksäntoistavuotiaana ja kävelimme monta päivää rajalle asti.",
        "Äitini soittaa minulle yhä joka sunnuntai. Hän kysyy, syönkö hyvin ja onko täällä kylmä talvi.",
        "Ensimmäinen työpaikkani oli leipomossa. Aloitin neljältä aamulla ja rakastin leivän tuoksua.",
        "Saavuimme kukin yhden laukun kanssa. Poikani oli kuusivuotias ja kysyi joka päivä, milloin palaamme.",
        "Kielen oppiminen oli vaikeinta, mutta naapurini olivat kärsivällisiä ja ystävällisiä minulle.",
    ],
    "fr": [
        "J'ai quitté ma ville à dix-neuf ans et nous avons marché pendant des jours jusqu'à la frontière.",
        "Ma mère m'appelle encore chaque dimanche. Elle me demande si je mange bien et s'il fait froid ici.",
        "Mon premier travail, je l'ai trouvé dans une boulangerie. Je commençais à quatre heures du matin.",
        "Nous sommes arrivés avec un seul sac chacun. Mon fils avait six ans et demandait quand on rentrerait.",
        "Apprendre la langue a été le plus difficile, mais mes voisins ont été patients et gentils avec moi.",
    ],
    "uk": [
        "Я покинула своє місто, коли мені було дев'ятнадцять, і ми йшли багато днів до кордону.",
        "Моя мама досі телефонує мені щонеділі. Вона питає, чи я добре їм і чи тут холодна зима.",
        "Першу роботу я знайшов у пекарні. Я починав о четвертій ранку і любив запах хліба.",
        "Ми приїхали з однією сумкою кожен. Моєму синові було шість, і він щодня питав, коли ми повернемося.",
        "Вивчити мову було найважче, але мої сусіди були терплячими й добрими до мене.",
    ],
}


EXAMPLES = [(language, text) for language, texts in SHORT_TEXTS.items() for text in texts]
IDS = [f"{language}-{n}" for language, texts in SHORT_TEXTS.items() for n in range(len(texts))]


@pytest.mark.parametrize(("language", "text"), EXAMPLES, ids=IDS)
@pytest.mark.parametrize("length", [None, 50])
def test_short_texts_are_told_apart_in_all_seven_languages(language, text, length):
    assert detect_language(text[:length]) == language


@pytest.mark.parametrize(("language", "text"), EXAMPLES, ids=IDS)
def test_twenty_characters_are_read_right_or_not_at_all(language, text):
    # Too little to be sure is no proposal, never a wrong one.
    assert detect_language(text[:20]) in (language, None)


def test_persian_is_never_taken_for_arabic_nor_arabic_for_persian():
    for text in SHORT_TEXTS["fa"]:
        assert proposed_language("fa", text) is None
        assert proposed_language("ar", text) == "fa"
    for text in SHORT_TEXTS["ar"]:
        assert proposed_language("ar", text) is None
        assert proposed_language("fa", text) == "ar"


def test_dari_chosen_for_a_persian_text_is_not_a_mismatch():
    assert proposed_language("fa-AF", SHORT_TEXTS["fa"][0]) is None


def test_a_ukrainian_story_marked_english_is_proposed_as_ukrainian():
    assert proposed_language("en", " ".join(SHORT_TEXTS["uk"])) == "uk"


@pytest.mark.parametrize("text", ["", "OK", "Layla 2015", "   \n\n  ", "12345 67890 12345 67890"])
def test_nothing_is_proposed_when_there_is_too_little_to_tell(text):
    assert proposed_language("en", text) is None


def test_a_story_language_beyond_the_seven_of_the_site_is_recognised_too():
    german = "Ich habe meine Stadt mit neunzehn Jahren verlassen und bin lange zu Fuß gegangen."
    assert proposed_language("de", german) is None
    assert proposed_language("en", german) == "de"
