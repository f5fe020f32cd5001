"""Ordinary story text in the seven languages, with the numbers stories hold (years,
ages, distances, counts, times) and no personal detail: none may be flagged."""

ORDINARY = {
    "en": (
        "In 2015 I left Aleppo with my two brothers. We walked for 23 days, about 400 km, "
        "and slept in a field near the border with 60 other people. I was 17 years old.\n\n"
        "The camp had 3,000 tents. Every morning at 6:30 we queued for bread. In March 2016 "
        "we reached Germany, and from 2017 to 2019 I studied nursing. Room 12 of the "
        "hospital on the second floor is where I work now, on the 7 to 3 shift.\n\n"
        "My mother still calls every Sunday. She is 64 and has 11 grandchildren. "
        "Home is where people wait for you, and I wait for the day we meet again."
    ),
    "fr": (
        "En 2015, j'ai quitté Kaboul avec ma sœur. Nous avons marché pendant 40 jours, "
        "plus de 2 000 km, et dormi dans une gare avec 50 autres familles. J'avais 16 ans.\n\n"
        "Le premier hiver a été difficile. De 2016 à 2018, j'ai suivi des cours de français "
        "3 fois par semaine, de 9 h à 12 h. Aujourd'hui je travaille comme infirmière à "
        "l'hôpital, au service 4, et je prends le bus 21 chaque matin.\n\n"
        "Ma mère a 70 ans. Nous nous parlons tous les dimanches. La maison, c'est là où "
        "quelqu'un vous attend."
    ),
    "es": (
        "En 2018 salí de Caracas con una maleta y las recetas de mi madre. Viajamos 12 días "
        "en autobús, casi 5.000 km, y pasamos 3 noches en la frontera. Yo tenía 19 años.\n\n"
        "El primer invierno fue duro, pero mis vecinos me ayudaron. Entre 2019 y 2021 "
        "estudié enfermería; hoy trabajo en la planta 3 del hospital, de 8 a 15 horas.\n\n"
        "Mis hijos tienen 6 y 9 años y hablan tres idiomas. El hogar es donde alguien te "
        "espera, y mi madre, con 68 años, todavía me espera."
    ),
    "fi": (
        "Vuonna 2015 lähdin Bagdadista veljeni kanssa. Kävelimme 23 päivää, noin 400 "
        "kilometriä, ja nukuimme pellolla 60 ihmisen kanssa. Olin 17-vuotias.\n\n"
        "Ensimmäinen talvi oli vaikea, mutta naapurit auttoivat. Vuosina 2016–2019 opiskelin "
        "sairaanhoitajaksi, ja nyt olen töissä osastolla 5 kello 7–15.\n\n"
        "Äitini on 64-vuotias, ja hänellä on 11 lastenlasta. Koti on siellä, missä joku "
        "odottaa."
    ),
    "uk": (
        "У 2022 році я поїхала з Харкова з двома дітьми. Ми їхали 3 дні, понад 1 500 км, "
        "і ночували на вокзалі разом із 200 іншими людьми. Мені було 34 роки.\n\n"
        "Перша зима була важкою, але сусіди нам допомогли. З 2022 по 2024 рік я вчила мову "
        "4 рази на тиждень, з 9 до 12 години. Тепер я працюю медсестрою у відділенні 6.\n\n"
        "Моїй мамі 67 років. Ми говоримо щонеділі. Дім там, де на тебе чекають."
    ),
    "ar": (
        "في عام ٢٠١٥ غادرت حلب مع أخويّ. مشينا ٢٣ يوماً، نحو ٤٠٠ كيلومتر، ونمنا في حقل قرب "
        "الحدود مع ٦٠ شخصاً آخر. كان عمري ١٧ سنة.\n\n"
        "في المخيم كانت هناك ٣٠٠٠ خيمة. كل صباح في الساعة ٦:٣٠ كنا ننتظر الخبز. وصلنا في "
        "آذار ٢٠١٦، ومن ٢٠١٧ إلى ٢٠١٩ درست التمريض. مشيت في الشارع الطويل قرب المستشفى.\n\n"
        "ما زالت أمي تتصل كل أحد. عمرها ٦٤ سنة ولها ١١ حفيداً. البيت هو حيث ينتظرك أحد."
    ),
    "fa": (
        "در سال ۱۳۹۴ با دو برادرم از کابل بیرون آمدم. ۲۳ روز راه رفتیم، حدود ۴۰۰ کیلومتر، و "
        "با ۶۰ نفر دیگر در مزرعه‌ای نزدیک مرز خوابیدیم. ۱۷ ساله بودم.\n\n"
        "زمستان اول سخت بود، اما همسایه‌هایم کمکم کردند. از ۲۰۱۶ تا ۲۰۱۹ پرستاری خواندم و "
        "حالا در بخش ۵ بیمارستان، از ساعت ۷ تا ۱۵، کار می‌کنم. در خیابان‌های شهر قدم می‌زنم.\n\n"
        "مادرم ۶۴ سال دارد و ۱۱ نوه. خانه جایی است که کسی منتظرت است."
    ),
}
