// Static content and the seeded random source for the demo data: a Moscow acting & public-speaking
// school that sells two courses over WhatsApp, plus a few customers abroad.
import type { MetaTemplateBinding } from "@/db/schema";

export type Segment = "acting" | "oratory";
export type Lang = "ru" | "en";

/** mulberry32: tiny, fast, deterministic. Never Math.random, so a seed always yields the same data. */
export function createRng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(xs: readonly T[]): T => {
    if (xs.length === 0) throw new Error("pick from an empty list");
    return xs[Math.floor(next() * xs.length)] as T;
  };
  const weighted = <T>(pairs: readonly (readonly [T, number])[]): T => {
    let r = next() * pairs.reduce((s, [, w]) => s + w, 0);
    for (const [v, w] of pairs) if ((r -= w) < 0) return v;
    return (pairs.at(-1) as readonly [T, number])[0];
  };
  const chars = (n: number, alphabet: string) => {
    let s = "";
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(next() * alphabet.length)];
    return s;
  };
  return { next, int, pick, weighted, chance: (p: number) => next() < p, chars };
}
export type Rng = ReturnType<typeof createRng>;

export const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
export const HEX = "0123456789abcdef";

export const SEGMENT_VARIABLES: Record<Segment, Record<string, string>> = {
  acting: { instructor_name: "Казбек Меретуков", course_name: "Актёрское мастерство" },
  oratory: { instructor_name: "Ольга Штерц", course_name: "Ораторское искусство" },
};

/** Countries of the audience: dialling prefix, national-number generator, timezone, share. */
export const COUNTRIES = [
  { code: "RU", weight: 80, tz: "Europe/Moscow", prefix: "7", heads: ["903", "905", "909", "915", "916", "925", "926", "965", "977", "985", "999"], rest: 7 },
  { code: "UA", weight: 6, tz: "Europe/Kyiv", prefix: "380", heads: ["50", "63", "67", "68", "93", "97"], rest: 7 },
  { code: "GB", weight: 5, tz: "Europe/London", prefix: "44", heads: ["7700", "7911", "7456", "7823"], rest: 6 },
  { code: "US", weight: 5, tz: "America/New_York", prefix: "1", heads: ["212", "347", "646", "718", "917"], rest: 7 },
  { code: "DE", weight: 4, tz: "Europe/Berlin", prefix: "49", heads: ["151", "160", "170", "176"], rest: 8 },
] as const;
export type Country = (typeof COUNTRIES)[number];

export const RU_FEMALE = ["Анна", "Мария", "Екатерина", "Ольга", "Дарья", "Алина", "Виктория", "Полина", "Юлия", "Ксения", "Наталья", "Софья"];
export const RU_MALE = ["Дмитрий", "Алексей", "Игорь", "Сергей", "Максим", "Артём", "Никита", "Павел", "Андрей", "Илья", "Роман", "Кирилл"];
/** Female forms; the male form drops the final "а". */
export const RU_LAST = ["Иванова", "Смирнова", "Кузнецова", "Попова", "Соколова", "Лебедева", "Новикова", "Морозова", "Волкова", "Орлова"];
export const LATIN_RU = ["Alexey", "Oleg K.", "Nastya", "Kate Volkova", "Dima", "Irina 🌸", "Vlad", "Lena M."];
export const EN_NAMES = ["James Carter", "Emily", "Sophie Turner", "Michael B.", "Olivia", "Daniel Weber", "Laura Schmidt", "Jonas", "Hannah Miller", "Chris"];

export type Ad = {
  id: string;
  segment: Segment;
  lang: Lang;
  weight: number;
  headline: string;
  body: string;
  welcome: string;
  media: { type: "image"; imageUrl: string } | { type: "video"; videoUrl: string; thumbnailUrl: string };
  sourceUrl: string;
  campaignId: string;
  campaignName: string;
  adsetId: string;
  adsetName: string;
  adName: string;
  creativeId: string;
  creativeName: string;
};

const img = (n: string, oh: string) =>
  `https://scontent.xx.fbcdn.net/v/t45.1600-4/${n}_n.jpg?stp=dst-jpg_p306x306&_nc_cat=104&ccb=1-7&_nc_sid=5f2048&_nc_ht=scontent.xx&oh=00_${oh}&oe=67A1C3F2`;
const vid = (n: string, oh: string) =>
  `https://scontent.xx.fbcdn.net/v/t42.1790-2/${n}_n.mp4?_nc_cat=108&ccb=1-7&_nc_sid=55d0d3&_nc_ht=scontent.xx&oh=00_${oh}&oe=67A1D0B8`;
const WELCOME_RU = "Здравствуйте! Напишите, какой курс вас интересует, и мы ответим в течение 15 минут 🙂";

const C_ACT = { campaignId: "120210553870420187", campaignName: "Актёрское мастерство | CTWA | Москва" };
const C_ORA = { campaignId: "120210553870433391", campaignName: "Ораторское искусство | CTWA | РФ" };
const C_RET = { campaignId: "120211078245560014", campaignName: "Ретаргетинг | Instagram | все курсы" };

export const ADS: Ad[] = [
  {
    id: "120210553870420301",
    segment: "acting",
    lang: "ru",
    weight: 22,
    headline: "Пробное занятие бесплатно",
    body: "Актёрское мастерство для взрослых с нуля. Первое занятие — бесплатно, напишите нам в WhatsApp!",
    welcome: WELCOME_RU,
    media: {
      type: "video",
      videoUrl: vid("452210983_1077219456712345", "AYBq3f2kX9cTr8wU0hJm"),
      thumbnailUrl: img("452210984_2267701334955102", "AYCnP0kq7LmWx2Jd"),
    },
    sourceUrl: "https://fb.me/7xKp2Qw9L?utm_source=facebook&utm_medium=paid_social&utm_campaign=acting_ctwa_msk&utm_content=video_kazbek",
    ...C_ACT,
    adsetId: "120210553870420255",
    adsetName: "Женщины 25–45, Москва, интерес: театр",
    adName: "Видео — Казбек о пробном занятии",
    creativeId: "120210553870420299",
    creativeName: "acting_trial_video_v2",
  },
  {
    id: "120210553870420318",
    segment: "acting",
    lang: "ru",
    weight: 14,
    headline: "Выйдите на сцену уже через месяц",
    body: "Этюды, импровизация, сценическая речь. Малые группы до 12 человек, занятия по вечерам и в выходные.",
    welcome: WELCOME_RU,
    media: { type: "image", imageUrl: img("451998310_1892204471120983", "AYD1sKq8Wm3nP0xZ") },
    sourceUrl: "https://fb.me/3Rt8bVnQ2",
    ...C_ACT,
    adsetId: "120210553870420255",
    adsetName: "Женщины 25–45, Москва, интерес: театр",
    adName: "Фото — сцена, вечерние группы",
    creativeId: "120210553870420316",
    creativeName: "acting_stage_photo",
  },
  {
    id: "120210553870420342",
    segment: "acting",
    lang: "ru",
    weight: 10,
    headline: "Раскрепоститься за 8 недель",
    body: "Перестаньте зажиматься на камеру и на людях. Курс актёрского мастерства для тех, кто никогда не играл.",
    welcome: WELCOME_RU,
    media: { type: "image", imageUrl: img("452003117_3318820914410236", "AYAm9tR2vLq0cX1b") },
    sourceUrl: "https://fb.me/9hWe4LmZa?utm_source=instagram&utm_medium=paid_social&utm_campaign=acting_lal1&utm_content=photo_relax",
    ...C_ACT,
    adsetId: "120210553870420337",
    adsetName: "Lookalike 1% — ученики",
    adName: "Фото — раскрепоститься за 8 недель",
    creativeId: "120210553870420340",
    creativeName: "acting_relax_photo",
  },
  {
    id: "120210553870433405",
    segment: "oratory",
    lang: "ru",
    weight: 18,
    headline: "Говорите уверенно",
    body: "Страх выступлений — это навык, а не приговор. Бесплатный пробный урок ораторского искусства.",
    welcome: WELCOME_RU,
    media: {
      type: "video",
      videoUrl: vid("452377702_8811230947761522", "AYBx7uQ1nWc4Zr0k"),
      thumbnailUrl: img("452377703_1208834561902277", "AYD8qW3mKx2pL9sf"),
    },
    sourceUrl: "https://fb.me/5kZp2Lq9a?utm_source=facebook&utm_medium=paid_social&utm_campaign=oratory_ctwa_rf&utm_content=video_olga",
    ...C_ORA,
    adsetId: "120210553870433398",
    adsetName: "Руководители и менеджеры 28–50",
    adName: "Видео — Ольга о страхе сцены",
    creativeId: "120210553870433402",
    creativeName: "oratory_fear_video",
  },
  {
    id: "120210553870433417",
    segment: "oratory",
    lang: "ru",
    weight: 12,
    headline: "Бесплатный урок ораторского искусства",
    body: "Научитесь держать внимание зала, говорить без бумажки и отвечать на сложные вопросы.",
    welcome: WELCOME_RU,
    media: { type: "image", imageUrl: img("451870254_4471029388815063", "AYCd2Rk7pXq5Nw1m") },
    sourceUrl: "https://fb.me/2wNc8Tj6R",
    ...C_ORA,
    adsetId: "120210553870433398",
    adsetName: "Руководители и менеджеры 28–50",
    adName: "Фото — урок ораторского искусства",
    creativeId: "120210553870433415",
    creativeName: "oratory_lesson_photo",
  },
  {
    id: "120210553870433429",
    segment: "oratory",
    lang: "ru",
    weight: 8,
    headline: "Защита диплома без паники",
    body: "Интенсив для студентов: структура выступления, голос, ответы комиссии. Стартуем в понедельник.",
    welcome: WELCOME_RU,
    media: { type: "image", imageUrl: img("452119876_9920314588102734", "AYAq1Wv5nKd8Rs3x") },
    sourceUrl: "https://fb.me/8bTq1Xy4D",
    ...C_ORA,
    adsetId: "120210553870433426",
    adsetName: "Студенты 20–24: защита диплома",
    adName: "Фото — защита диплома",
    creativeId: "120210553870433427",
    creativeName: "oratory_diploma_photo",
  },
  {
    id: "120211078245560087",
    segment: "acting",
    lang: "ru",
    weight: 8,
    headline: "Осталось 3 места в группе",
    body: "Новый поток актёрского мастерства стартует в субботу. Успейте забронировать место!",
    welcome: WELCOME_RU,
    media: { type: "image", imageUrl: img("452498811_6610293847102956", "AYBr4Nt9qWm2Xk7c") },
    sourceUrl: "https://fb.me/4mVd7Kp3S?utm_source=instagram&utm_medium=retargeting&utm_campaign=retarget_30d&utm_content=last_seats",
    ...C_RET,
    adsetId: "120211078245560051",
    adsetName: "Посетители сайта, 30 дней",
    adName: "Фото — последние места",
    creativeId: "120211078245560085",
    creativeName: "retarget_last_seats",
  },
  {
    id: "120211078245560099",
    segment: "oratory",
    lang: "en",
    weight: 8,
    headline: "Public speaking online — first lesson free",
    body: "Live online classes with Olga Shterts. Speak with confidence at work, on stage and on camera.",
    welcome: "Hi! Tell us which course you are interested in and we'll reply within 15 minutes 🙂",
    media: {
      type: "video",
      videoUrl: vid("452601234_1190876543210987", "AYCz5Hn2Lq8Wd1Rm"),
      thumbnailUrl: img("452601235_7781203946610452", "AYAk3Ps9Vn1Qx6Tb"),
    },
    sourceUrl: "https://fb.me/6cHs9Wn2E",
    ...C_RET,
    adsetId: "120211078245560063",
    adsetName: "Русскоязычные за рубежом: UK, US, DE",
    adName: "Video — online public speaking (EN)",
    creativeId: "120211078245560097",
    creativeName: "oratory_online_en_video",
  },
];

export const POSTS = [
  {
    id: "17942816354901223",
    headline: "Новый набор в группы!",
    body: "Открыли запись на весенний поток актёрского мастерства и ораторского искусства.",
    sourceUrl: "https://www.instagram.com/p/C9xK2bLsQ4f/",
    imageUrl: img("452700115_1022334455667788", "AYDp6Vw1Lm9Kx3Ra"),
  },
  {
    id: "102298765432109_871234509876543",
    headline: "Отчётный спектакль 🎭",
    body: "Наши ученики после 2 месяцев занятий — смотрите, как это было!",
    sourceUrl: "https://fb.me/1pQr5Ty8U",
    imageUrl: img("452702291_3344556677889900", "AYBm2Kx8Nq4Wd7Ls"),
  },
];

/** Inbound texts: openers by segment, then follow-ups. */
export const INBOUND = {
  ru: {
    acting: [
      "Здравствуйте! Интересует актёрское мастерство для взрослых, с нуля можно?",
      "Добрый день! Хочу записаться на пробное занятие по актёрскому",
      "Хочу попробовать себя на сцене 🙂 Когда ближайшая группа?",
      "Здравствуйте, есть курс актёрского мастерства для подростков 15 лет?",
    ],
    oratory: [
      "Здравствуйте! Мне нужно научиться выступать, через месяц защита диплома",
      "Добрый день! Боюсь выступать на совещаниях, ваш курс поможет?",
      "Сколько длится курс ораторского искусства?",
      "Здравствуйте! Хочу на пробный урок по ораторскому",
    ],
    general: [
      "Здравствуйте! Сколько стоит курс?",
      "Добрый вечер! Подскажите расписание, пожалуйста",
      "Здравствуйте! Можно подробнее?",
      "Привет! Увидела рекламу, пробное правда бесплатно?",
    ],
    followUps: [
      "А сколько человек в группе?",
      "Можно оплатить частями?",
      "Спасибо, подумаю",
      "Отлично, записывайте меня на субботу!",
      "Где вы находитесь? Рядом с метро?",
      "А онлайн-формат есть?",
      "Хорошо, приду 👍",
      "Во сколько начинается занятие?",
      "Сколько стоит абонемент на месяц?",
      "А что взять с собой на первое занятие?",
    ],
    captions: ["Вот скрин оплаты", "Это расписание актуальное?", "Подарочный сертификат от подруги, можно его использовать?"],
  },
  en: {
    acting: ["Hi! Do you have acting classes for adults who have never acted?"],
    oratory: ["Hi, I saw your ad. Is the online trial lesson really free?", "Hello! I need to prepare for a conference talk, can you help?"],
    general: ["Hi! How much is the course?", "Hello, are the classes in English or Russian?"],
    followUps: [
      "What time are the evening classes (London time)?",
      "Thanks, I'll think about it",
      "Great, please book me for Saturday",
      "Can I pay in USD?",
      "Is there a recording if I miss a class?",
    ],
    captions: ["Here is the payment receipt", "Is this the right schedule?"],
  },
};

export const OUTBOUND: Record<Lang, string[]> = {
  ru: [
    "Здравствуйте! Спасибо за интерес к нашей школе 🙂 Курс длится 2 месяца, занятия 2 раза в неделю по 2 часа. Стоимость — 18 000 ₽ в месяц, пробное занятие бесплатно.",
    "Конечно! Набираем группы с нуля, опыт не нужен. Ближайшее пробное занятие — в субботу в 12:00. Записать вас?",
    "Мы в 5 минутах от м. Чистые пруды. Точный адрес пришлю после записи.",
    "Да, можно оплатить частями — двумя платежами без переплаты.",
    "В группе до 12 человек, чтобы каждый успевал выйти на сцену.",
    "Записали вас на субботу, 12:00 ✅ Накануне пришлём напоминание.",
    "Онлайн-группа тоже есть: по вторникам и четвергам в 19:30 (МСК).",
    "Возьмите удобную одежду и воду — остальное расскажем на месте 🙂",
  ],
  en: [
    "Hi! Thanks for reaching out 🙂 The online course runs for 8 weeks, two evening sessions a week. The first trial lesson is free.",
    "Classes are in Russian, but the online speaking group has English-speaking participants too.",
    "You can pay by card in USD or EUR — the full course is $490.",
    "Booked you for Saturday, 12:00 Moscow time ✅ We'll send a reminder the day before.",
  ],
};
export const OUTBOUND_BUTTONS: Record<Lang, { text: string; buttons: readonly (readonly [string, string])[] }> = {
  ru: {
    text: "Хотите записаться на бесплатное пробное занятие?",
    buttons: [
      ["book_trial", "Записаться"],
      ["later", "Позже"],
    ],
  },
  en: {
    text: "Would you like to book a free trial lesson?",
    buttons: [
      ["book_trial", "Book a trial"],
      ["later", "Later"],
    ],
  },
};

export const MESSAGE_ERRORS = [
  {
    code: "131026",
    title: "Message undeliverable",
    details: "Message undeliverable: the recipient may not be on WhatsApp or has not accepted the current terms.",
  },
  {
    code: "131049",
    title: "This message was not delivered to maintain healthy ecosystem engagement.",
    details: "In order to maintain a healthy ecosystem engagement, the message failed to be delivered.",
  },
] as const;

export const TAGS = ["trial_booked", "vip", "evening_group", "weekend_group", "corporate", "online", "teen"];

export type DemoTemplate = {
  name: string;
  title: string;
  content: string;
  delayDays: number;
  delayHours: number;
  segment: Segment | null;
  active: boolean;
  metaTemplate: MetaTemplateBinding | null;
};

/** The drip of seeds/003: welcome (day 0), day1 per course, day3, day7; day5_case added but inactive. */
export const DEMO_TEMPLATES: DemoTemplate[] = [
  {
    name: "welcome",
    title: "Приветствие",
    delayDays: 0,
    delayHours: 0,
    segment: null,
    active: true,
    metaTemplate: null,
    content:
      "Здравствуйте, {{name}}! Спасибо за заявку в нашу школу 🎭 Ваш педагог на курсе «{{course_name}}» — {{instructor_name}}. Первое пробное занятие бесплатное: напишите, какой день вам удобен, и мы забронируем место.",
  },
  {
    name: "day1_acting",
    title: "Прогрев: актёрское мастерство — День 1",
    delayDays: 1,
    delayHours: 0,
    segment: "acting",
    active: true,
    metaTemplate: null,
    content:
      "{{name}}, добрый день! Немного расскажем о курсе. {{instructor_name}} строит занятия на живых этюдах и импровизации, поэтому уже на первой встрече вы выйдете на сцену — без зубрёжки и без страха. Ученики говорят, что после курса им проще знакомиться, выступать и просто быть собой. Записать вас на пробное?",
  },
  {
    name: "day1_oratory",
    title: "Прогрев: ораторское искусство — День 1",
    delayDays: 1,
    delayHours: 0,
    segment: "oratory",
    active: true,
    metaTemplate: null,
    content:
      "{{name}}, здравствуйте! Курс «{{course_name}}» — это практика с первого дня: на каждом занятии вы выступаете перед группой и получаете подробный разбор. Ведёт курс {{instructor_name}}, за плечами — сотни выступлений и корпоративных тренингов. Хотите попробовать на бесплатном уроке?",
  },
  {
    name: "day3",
    title: "История успеха ученика",
    delayDays: 3,
    delayHours: 0,
    segment: null,
    active: true,
    metaTemplate: null,
    content:
      "{{name}}, хотим поделиться историей нашего ученика Дмитрия. Полгода назад он избегал любых выступлений, а на прошлой неделе провёл презентацию для совета директоров — и получил повышение. {{instructor_name}} говорит, что самое трудное — прийти на первое занятие. Может быть, этот шаг сделаете и вы? 🙂",
  },
  {
    name: "day5_case",
    title: "Кейс - День 5",
    delayDays: 5,
    delayHours: 0,
    segment: "oratory",
    active: false,
    metaTemplate: null,
    content: "Недавно наша ученица Анна выступала на конференции на 500 человек! А ведь пришла она с дрожью в коленках...",
  },
  {
    name: "day7",
    title: "Последнее предложение",
    delayDays: 7,
    delayHours: 0,
    segment: null,
    active: true,
    metaTemplate: {
      name: "course_last_call",
      language: "ru",
      parameters: [
        { key: "1", variable: "name" },
        { key: "2", variable: "instructor_name" },
      ],
    },
    content:
      "{{name}}, здравствуйте! Набор в группу курса «{{course_name}}» закрывается в эту пятницу, осталось всего несколько мест. {{instructor_name}} ждёт вас на первом занятии. Если хотите успеть к старту, просто ответьте «Да» — пришлём детали. А если сейчас не время, ничего страшного: напишите, когда будете готовы.",
  },
];

/** Simple `{{var}}` substitution; unknown variables are left as they are. */
export function renderTemplate(content: string, vars: Record<string, string>): string {
  return content.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, key: string) => vars[key] ?? whole);
}

export function russianName(rng: Rng, withLast: boolean): string {
  const female = rng.chance(0.62);
  const first = rng.pick(female ? RU_FEMALE : RU_MALE);
  if (!withLast) return first;
  const last = rng.pick(RU_LAST);
  return `${first} ${female ? last : last.slice(0, -1)}`;
}
