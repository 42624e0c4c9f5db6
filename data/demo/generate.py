"""Writes the demo corpus: a small invented world described in English, Hindi and Chinese.

    python data/demo/generate.py            # rewrites the data files beside this script
    python data/demo/generate.py --out=DIR  # writes them under DIR instead

Every word and sentence here is ours: a lexicon of about 200 concepts with real English, Hindi
(Devanagari) and Simplified Chinese words, and one template per kind of sentence in each language.
Hindi is a simplified SOV grammar with postpositions and gender agreement; Chinese is SVO without
spaces. The sentences are simple and stiff, not fluent writing (README.md here lists the shortcuts),
and the world is a toy: people with homes, jobs, pets and errands, plus a few true facts (Agra is a
city in India; hens have two legs). That is on purpose: a 2-layer model trained for a few CPU
minutes can learn it, so that the effects the papers report (perplexity, QA, translation,
code-switching, tokenization) can show in miniature.

Deterministic: each output draws from its own random.Random seeded with a fixed string, and nothing
depends on set or dict order, so every run writes byte-identical files (tests/test_demo_data.py
checks the committed files against a fresh run). Standard library only.
"""
import functools
import json
import os
import random
import re
import sys
from pathlib import Path

# -----------------------------------------------------------------------------------------------
# The lexicon. One table per kind of word; '-' is an empty cell. In a Hindi cell `a|b` is the
# masculine|feminine pair, chosen by whatever the word agrees with (see fill()).

PEOPLE = """en g hi zh
Ram m राम 拉姆
Mohan m मोहन 莫汉
Anil m अनिल 阿尼尔
Ravi m रवि 拉维
Vijay m विजय 维杰
Arjun m अर्जुन 阿琼
Amit m अमित 阿米特
Sunil m सुनील 苏尼尔
Tom m टॉम 汤姆
Sam m सैम 萨姆
Jack m जैक 杰克
Peter m पीटर 彼得
Leo m लियो 利奥
Xiaoming m शाओमिंग 小明
Dawei m दावेई 大伟
Haoran m हाओरान 浩然
Sita f सीता 悉多
Priya f प्रिया 普丽娅
Meera f मीरा 米拉
Anita f अनीता 阿妮塔
Geeta f गीता 吉塔
Asha f आशा 阿莎
Maya f माया 玛雅
Nina f नीना 妮娜
Anna f अन्ना 安娜
Emma f एमा 艾玛
Lily f लिली 莉莉
Rosa f रोजा 罗莎
Sara f सारा 萨拉
Xiaohong f शाओहोंग 小红
Lanlan f लानलान 兰兰
Meiling f मेइलिंग 美玲"""

TOWNS = """en hi zh country river size
Delhi दिल्ली 德里 India Yamuna big
Agra आगरा 阿格拉 India Yamuna old
Patna पटना 巴特那 India Ganga old
Varanasi वाराणसी 瓦拉纳西 India Ganga beautiful
Kanpur कानपुर 坎普尔 India Ganga busy
Mumbai मुंबई 孟买 India - busy
Jaipur जयपुर 斋浦尔 India - beautiful
Pune पुणे 浦那 India - quiet
Beijing बीजिंग 北京 China - big
Shanghai शंघाई 上海 China Huangpu busy
Wuhan वुहान 武汉 China Yangtze big
Nanjing नानजिंग 南京 China Yangtze old
Hangzhou हांगझोउ 杭州 China - beautiful
London लंदन 伦敦 England Thames big
Oxford ऑक्सफोर्ड 牛津 England Thames old
Paris पेरिस 巴黎 France Seine beautiful
Rouen रूआं 鲁昂 France Seine small
Cairo काहिरा 开罗 Egypt Nile busy
Aswan असवान 阿斯旺 Egypt Nile small
Rome रोम 罗马 Italy Tiber old
Tokyo टोक्यो 东京 Japan - big
Kyoto क्योटो 京都 Japan - quiet"""

COUNTRIES = """en hi zh
India भारत 印度
China चीन 中国
England इंग्लैंड 英格兰
France फ्रांस 法国
Egypt मिस्र 埃及
Italy इटली 意大利
Japan जापान 日本"""

RIVERS = """en hi zh
Yamuna यमुना 亚穆纳河
Ganga गंगा 恒河
Huangpu ह्वांगपू 黄浦江
Yangtze यांग्त्सी 长江
Thames टेम्स 泰晤士河
Seine सेन 塞纳河
Nile नील 尼罗河
Tiber टाइबर 台伯河"""

SIZES = """en hi zh zh.attr
big बड़ा 大 大
small छोटा 小 小
old पुराना 古老 古老的
beautiful सुंदर 美丽 美丽的
busy व्यस्त 繁忙 繁忙的
quiet शांत 安静 安静的"""

# legs and food are facts of the world ("Hens have two legs."); zh.cl is the measure word
ANIMALS = """en en.pl g hi hi.pl zh zh.cl legs food
dog dogs m कुत्ता कुत्ते 狗 只 four meat
cat cats f बिल्ली बिल्लियाँ 猫 只 four fish
cow cows f गाय गायें 牛 头 four grass
horse horses m घोड़ा घोड़े 马 匹 four grass
goat goats f बकरी बकरियाँ 山羊 只 four leaves
sheep sheep f भेड़ भेड़ें 绵羊 只 four grass
hen hens f मुर्गी मुर्गियाँ 母鸡 只 two seeds
duck ducks f बत्तख बत्तखें 鸭子 只 two seeds
parrot parrots m तोता तोते 鹦鹉 只 two seeds
rabbit rabbits m खरगोश खरगोश 兔子 只 four carrots
elephant elephants m हाथी हाथी 大象 头 four leaves
camel camels m ऊँट ऊँट 骆驼 头 four leaves
monkey monkeys m बंदर बंदर 猴子 只 - bananas
fish fish f मछली मछलियाँ 鱼 条 - -"""

THINGS = """en g hi zh zh.cl
house m घर 房子 座
bicycle f साइकिल 自行车 辆
car f कार 汽车 辆
bag m थैला 包 个
hat f टोपी 帽子 顶
kite f पतंग 风筝 个
ball f गेंद 球 个
book f किताब 书 本
shirt f कमीज 衬衫 件
umbrella m छाता 伞 把
box m डिब्बा 盒子 个
door m दरवाजा 门 扇"""

# hi.pl: the masculine plural ("काले केले"); pet colours are the first four
COLOURS = """en hi hi.pl zh
black काला|काली काले 黑色
white सफेद सफेद 白色
brown भूरा|भूरी भूरे 棕色
grey स्लेटी स्लेटी 灰色
red लाल लाल 红色
yellow पीला|पीली पीले 黄色
green हरा|हरी हरे 绿色
blue नीला|नीली नीले 蓝色
pink गुलाबी गुलाबी 粉色
orange नारंगी नारंगी 橙色"""

# use: buy = sold by the piece at the market (plural, masculine in Hindi); cook = cooked for
# someone; animal = only animals eat it here. morning: what a person eats/drinks every morning.
FOODS = """en g hi zh use morning colour
apples m सेब 苹果 buy eats red
mangoes m आम 芒果 buy eats yellow
bananas m केले 香蕉 buy eats yellow
grapes m अंगूर 葡萄 buy eats green
lemons m नींबू 柠檬 buy - yellow
tomatoes m टमाटर 西红柿 buy eats red
potatoes m आलू 土豆 buy - brown
eggs m अंडे 鸡蛋 buy eats white
guavas m अमरूद 番石榴 buy eats green
rice m चावल 米饭 cook eats white
bread f रोटी 面包 cook eats -
soup m सूप 汤 cook - -
fish f मछली 鱼 cook eats -
curry f करी 咖喱 cook eats -
milk m दूध 牛奶 - drinks white
tea f चाय 茶 - drinks -
yogurt m दही 酸奶 - eats white
honey m शहद 蜂蜜 - eats -
cheese m पनीर 奶酪 - eats white
grass f घास 草 animal - green
leaves m पत्ते 树叶 animal - -
meat m मांस 肉 animal - -
seeds m बीज 种子 animal - -
carrots f गाजर 胡萝卜 animal - -"""

JOBS = """en hi zh place
farmer किसान 农民 farm
doctor डॉक्टर 医生 hospital
nurse नर्स 护士 hospital
teacher शिक्षक|शिक्षिका 老师 school
student छात्र|छात्रा 学生 school
shopkeeper दुकानदार 店主 shop
cashier खजांची 出纳员 bank
clerk क्लर्क 职员 office
engineer इंजीनियर 工程师 office
writer लेखक|लेखिका 作家 library
librarian पुस्तकालयाध्यक्ष 图书管理员 library
cook रसोइया 厨师 restaurant
singer गायक|गायिका 歌手 restaurant
driver ड्राइवर 司机 station
trader व्यापारी 商人 market"""

PLACES = """en hi zh
farm खेत 农场
hospital अस्पताल 医院
school स्कूल 学校
shop दुकान 商店
bank बैंक 银行
office दफ्तर 办公室
library पुस्तकालय 图书馆
restaurant रेस्टोरेंट 饭店
station स्टेशन 车站
market बाजार 市场"""

# zh.verb: 坐 (sit: ride as a passenger) or 骑 (ride astride)
VEHICLES = """en hi zh zh.verb
bus बस 公共汽车 坐
train ट्रेन 火车 坐
boat नाव 船 坐
bicycle साइकिल 自行车 骑
car कार 汽车 坐
plane विमान 飞机 坐"""

DAYS = """en hi zh
Monday सोमवार 星期一
Tuesday मंगलवार 星期二
Wednesday बुधवार 星期三
Thursday गुरुवार 星期四
Friday शुक्रवार 星期五
Saturday शनिवार 星期六
Sunday रविवार 星期天"""

# zh is the form used before a measure word: 两 ("两只猫"), not 二
NUMBERS = """en hi zh
two दो 两
three तीन 三
four चार 四
five पाँच 五
six छह 六
seven सात 七
eight आठ 八
nine नौ 九
ten दस 十
eleven ग्यारह 十一
twelve बारह 十二
twenty बीस 二十
thirty तीस 三十
forty चालीस 四十
fifty पचास 五十
sixty साठ 六十
seventy सत्तर 七十"""

# g: who can be it (brother: men only); the Hindi form agrees with that person
RELATIONS = """en g hi zh
friend - दोस्त 朋友
brother m भाई 兄弟
sister f बहन 姐妹
neighbour - पड़ोसी|पड़ोसन 邻居"""

TRAITS = """en hi zh
tall लंबा|लंबी 高
kind दयालु 善良
happy खुश 开心
clever चतुर 聪明
strong मजबूत 强壮
busy व्यस्त 忙
brave बहादुर 勇敢
lazy आलसी 懒
old बूढ़ा|बूढ़ी 老"""

# the verbs of "eats/drinks every morning"; en.do is the form after "does"
VERBS = """en en.do hi zh
eats eat खाता|खाती 吃
drinks drink पीता|पीती 喝"""

# dictionary-only rows: words of the templates and instructions. A cell `a|b` gives two lines.
WORDS = """en hi zh
has - 有
have - 有
will - 会
job काम 工作
drink पीता|पीती 喝
an एक 一
place जगह -
list - 列出
lives रहता|रहती 住
live रहता|रहती 住
works काम 工作
work काम 工作
likes पसंद 喜欢
like पसंद 喜欢
eat खाता|खाती 吃
went गया|गई 去
go गया|गई 去
bought खरीदे|खरीदा 买
buy खरीदे|खरीदा 买
cooked पकाया|पकाई 做
cook पकाया|पकाई 做
meet मिलेगा|मिलेगी 见
flows बहती 流经
city शहर 城市
cities शहरों 城市
river नदी 河
country देश 国家
legs पैर 腿
years साल 岁
every हर 每
morning सुबह 早上
evening शाम 晚上
tomorrow कल 明天
market बाजार 市场
for लिए 给
in में 在
and और 和
a एक 一
is है 是
are हैं 是
where कहाँ 哪里
what क्या 什么
who कौन 谁
how कैसे 怎么
many कितने|कितनी 几
colour रंग 颜色
which कौन 哪
he वह 他
she वह 她
his उसका|उसकी|उसके 他的
her उसका|उसकी|उसके 她的
text पाठ 文字
sentence वाक्य 句子
words शब्दों 词
first पहला 第一
people लोगों 人
repeat दोहराइए 重复
write लिखिए 写
make बनाइए 造"""

# the words of the Alpaca template (model.PROMPT_TEMPLATES), as a MUSE dictionary would list them: only
# for the dictionaries, so that COMMIT's naive baseline, which mixes the template too, has words to mix
TEMPLATE_WORDS = """en hi zh
below नीचे 下面
instruction निर्देश 指令
describes बताता 描述
task कार्य 任务
paired जुड़ा 配对
with साथ 与
input इनपुट 输入
that जो 那
provides देता 提供
further अधिक 更多
context संदर्भ 上下文
write लिखिए 写
response जवाब 回答
appropriately उचित 恰当
completes पूरा 完成
request अनुरोध 请求"""

LANGS = ('en', 'hi', 'zh')
SEP = {'en': ' ', 'hi': ' ', 'zh': ''}  # between sentences of a document


def table(text):
    """Rows of a lexicon table as dicts, e.g. {'en': 'dog', 'en.pl': 'dogs', 'g': 'm', ...}."""
    header, *lines = text.splitlines()
    columns = header.split()
    rows = []
    for line in lines:
        cells = line.split()
        assert len(cells) == len(columns), line
        rows.append({c: v for c, v in zip(columns, cells) if v != '-'})
    return rows


def by_name(rows):
    return {r['en']: r for r in rows}


def person(row):
    """A name with its case forms: Hindi marks case with a postposition after the noun."""
    name_hi, name_en, name_zh = row['hi'], row['en'], row['zh']
    return dict(row, **{'en.gen': name_en + "'s", 'zh.gen': name_zh + '的',
                        'hi.gen': f'{name_hi} का|{name_hi} की', 'hi.erg': name_hi + ' ने',
                        'hi.dat': name_hi + ' को', 'hi.loc': name_hi + ' के पास'})


# the same forms for "he" and "she", used after a person has been named in a document
PRONOUNS = {
    'm': {'en': 'he', 'en.gen': 'his', 'zh': '他', 'zh.gen': '他的', 'g': 'm', 'hi': 'वह',
          'hi.gen': 'उसका|उसकी', 'hi.erg': 'उसने', 'hi.dat': 'उसे', 'hi.loc': 'उसके पास'},
    'f': {'en': 'she', 'en.gen': 'her', 'zh': '她', 'zh.gen': '她的', 'g': 'f', 'hi': 'वह',
          'hi.gen': 'उसका|उसकी', 'hi.erg': 'उसने', 'hi.dat': 'उसे', 'hi.loc': 'उसके पास'},
}


def oblique(row):
    """Hindi masculine nouns in -ा take -े before a postposition: कुत्ता -> कुत्ते के चार पैर."""
    hi = row['hi']
    return dict(row, **{'hi.obl': hi[:-1] + 'े' if row['g'] == 'm' and hi.endswith('ा') else hi})


# the tables parsed: from here on each name holds rows (a list, or a dict by English word)
PEOPLE = [person(r) for r in table(PEOPLE)]
TOWNS = [dict(r, g='m') for r in table(TOWNS)]  # g: शहर (city) is masculine
COUNTRIES, RIVERS, SIZES = by_name(table(COUNTRIES)), by_name(table(RIVERS)), by_name(table(SIZES))
ANIMALS = [oblique(r) for r in table(ANIMALS)]
THINGS, COLOURS, FOODS = table(THINGS), table(COLOURS), table(FOODS)
JOBS, PLACES, VEHICLES, DAYS = table(JOBS), by_name(table(PLACES)), table(VEHICLES), table(DAYS)
NUMBERS, RELATIONS, TRAITS = by_name(table(NUMBERS)), table(RELATIONS), table(TRAITS)
VERBS, WORDS, TEMPLATE_WORDS = by_name(table(VERBS)), table(WORDS), table(TEMPLATE_WORDS)
FOOD = by_name(FOODS)
PET_COLOURS = COLOURS[:4]
COUNTS = [NUMBERS[n] for n in 'two three four five six seven eight nine ten'.split()]
CHILD_AGES = [NUMBERS[n] for n in 'five six seven eight nine ten eleven twelve'.split()]
ADULT_AGES = [NUMBERS[n] for n in 'twenty thirty forty fifty sixty seventy'.split()]
LIKED = [f for f in FOODS if f.get('use') != 'animal']
EATEN = [f for f in FOODS if 'morning' in f]
BOUGHT = [f for f in FOODS if f.get('use') == 'buy']
COOKED = [f for f in FOODS if f.get('use') == 'cook']

# -----------------------------------------------------------------------------------------------
# The grammar. One row per kind of sentence: the slot whose gender the Hindi agrees with, the
# sentence in each language, and the questions it answers, each with the slot holding its answer.
# In a template, {X} is slot X in its plain form and {X.gen} etc. a form from the lexicon;
# [a|b] is masculine|feminine, agreeing with the controlling slot.

FRAMES = {
    'live': ('P', '{P} lives in {T}.',
                  '{P} {T} में रह[ता|ती] है।',
                  '{P}住在{T}。', [
        ('T', 'Where does {P} live?', '{P} कहाँ रह[ता|ती] है?', '{P}住在哪里？')]),
    'job': ('P', '{P} is a {J}.',
                 '{P} {J} है।',
                 '{P}是{J}。', [
        ('J', 'What is {P.gen} job?', '{P} क्या काम कर[ता|ती] है?', '{P}是做什么工作的？')]),
    'work': ('P', '{P} works at the {W}.',
                  '{P} {W} में काम कर[ता|ती] है।',
                  '{P}在{W}工作。', [
        ('W', 'Where does {P} work?', '{P} कहाँ काम कर[ता|ती] है?', '{P}在哪里工作？')]),
    'age': ('P', '{P} is {N} years old.',
                 '{P} {N} साल [का|की] है।',
                 '{P}{N}岁。', [
        ('N', 'How old is {P}?', '{P} कितने साल [का|की] है?', '{P}多大了？')]),
    'likes': ('P', '{P} likes {F}.',
                   '{P.dat} {F} पसंद है।',
                   '{P}喜欢{F}。', [
        ('F', 'What does {P} like?', '{P.dat} क्या पसंद है?', '{P}喜欢什么？')]),
    'eats': ('P', '{P} {V} {F} every morning.',
                  '{P} हर सुबह {F} {V} है।',
                  '{P}每天早上{V}{F}。', [
        ('F', 'What does {P} {V.do} every morning?', '{P} हर सुबह क्या {V} है?', '{P}每天早上{V}什么？')]),
    'has': ('X', '{P} has a {C} {X}.',
                 '{P.loc} एक {C} {X} है।',
                 '{P}有一{X.cl}{C}的{X}。', [
        ('C', 'What colour is {P.gen} {X}?', '{P.gen} {X} किस रंग [का|की] है?', '{P.gen}{X}是什么颜色的？')]),
    'owns': ('X', '{P.gen} {X} is {C}.',
                  '{P.gen} {X} {C} है।',
                  '{P.gen}{X}是{C}的。', [
        ('C', 'What colour is {P.gen} {X}?', '{P.gen} {X} किस रंग [का|की] है?', '{P.gen}{X}是什么颜色的？')]),
    'herd': ('A', '{P} has {N} {A.pl}.',
                  '{P.loc} {N} {A.pl} हैं।',
                  '{P}有{N}{A.cl}{A}。', [
        ('N', 'How many {A.pl} does {P} have?', '{P.loc} [कितने|कितनी] {A.pl} हैं?', '{P}有几{A.cl}{A}？')]),
    'went': ('P', 'On {D}, {P} went to {T} by {V}.',
                  '{D} को {P} {V} से {T} [गया|गई]।',
                  '{D}{P}{V.verb}{V}去了{T}。', [
        ('T', 'Where did {P} go on {D}?', '{D} को {P} कहाँ [गया|गई]?', '{D}{P}去了哪里？'),
        ('V', 'How did {P} go to {T}?', '{P} {T} कैसे [गया|गई]?', '{P}是怎么去{T}的？')]),
    'bought': ('P', 'On {D}, {P} bought {N} {F} at the market.',
                    '{D} को {P.erg} बाजार से {N} {F} खरीदे।',
                    '{D}{P}在市场买了{N}个{F}。', [
        ('N', 'How many {F} did {P} buy?', '{P.erg} कितने {F} खरीदे?', '{P}买了几个{F}？'),
        ('F', 'What did {P} buy on {D}?', '{D} को {P.erg} क्या खरीदा?', '{D}{P}买了什么？')]),
    'cooked': ('F', 'In the evening, {P} cooked {F} for {Q}.',
                    'शाम को {P.erg} {Q} के लिए {F} पका[या|ई]।',
                    '晚上{P}给{Q}做了{F}。', [
        ('F', 'What did {P} cook for {Q}?', 'शाम को {P.erg} {Q} के लिए क्या पकाया?', '晚上{P}给{Q}做了什么？'),
        ('Q', 'Who did {P} cook {F} for?', '{P.erg} किसके लिए {F} पका[या|ई]?', '{P}给谁做了{F}？')]),
    'meet': ('P', 'Tomorrow, {P} will meet {Q} in {T}.',
                  'कल {P} {T} में {Q} से मिले[गा|गी]।',
                  '明天{P}会在{T}见{Q}。', [
        ('Q', 'Who will {P} meet tomorrow?', 'कल {P} किससे मिले[गा|गी]?', '明天{P}会见谁？'),
        ('T', 'Where will {P} meet {Q}?', '{P} {Q} से कहाँ मिले[गा|गी]?', '{P}会在哪里见{Q}？')]),
    'relation': ('P', '{P} is {Q.gen} {R}.',
                      '{P} {Q.gen} {R} है।',
                      '{P}是{Q.gen}{R}。', [
        ('P', 'Who is {Q.gen} {R}?', '{Q.gen} {R} कौन है?', '谁是{Q.gen}{R}？')]),
    'trait': ('P', '{P} is {J}.',
                   '{P} {J} है।',
                   '{P}很{J}。', []),
    # facts of the world: the same in every document
    'country': (None, '{T} is a city in {C}.',
                      '{T} {C} का एक शहर है।',
                      '{T}是{C}的一个城市。', [
        ('C', 'In which country is {T}?', '{T} किस देश में है?', '{T}在哪个国家？')]),
    'river': (None, 'The {R} flows through {T}.',
                    '{R} नदी {T} से होकर बहती है।',
                    '{R}流经{T}。', [
        ('R', 'Which river flows through {T}?', '{T} से होकर कौन सी नदी बहती है?', '哪条河流经{T}？')]),
    'size': ('T', '{T} is a {J} city.',
                  '{T} एक {J} शहर है।',
                  '{T}是一座{J.attr}城市。', []),
    'legs': (None, '{A.pl} have {N} legs.',
                   '{A.obl} के {N} पैर होते हैं।',
                   '{A}有{N}条腿。', [
        ('N', 'How many legs does a {A} have?', '{A.obl} के कितने पैर होते हैं?', '{A}有几条腿？')]),
    'diet': ('A', '{A.pl} eat {F}.',
                  '{A} {F} खा[ता|ती] है।',
                  '{A}吃{F}。', [
        ('F', 'What do {A.pl} eat?', '{A} क्या खा[ता|ती] है?', '{A}吃什么？')]),
    'colours': (None, '{F} are {C}.',  # fruit, plural
                      '{F} {C.pl} होते हैं।',
                      '{F}是{C}的。', [
        ('C', 'What colour are {F}?', '{F} किस रंग के होते हैं?', '{F}是什么颜色的？')]),
    'colour': ('F', '{F} is {C}.',  # milk, rice...
                    '{F} {C} हो[ता|ती] है।',
                    '{F}是{C}的。', [
        ('C', 'What colour is {F}?', '{F} किस रंग [का|की] हो[ता|ती] है?', '{F}是什么颜色的？')]),
}
LANG_COLUMN = {'en': 1, 'hi': 2, 'zh': 3}
NO_PRONOUN = {'relation'}  # its subject is the answer to its question, so always named

# The world's facts, in table order: a sentence kind and its slots.
WORLD = ([('country', dict(T=t, C=COUNTRIES[t['country']])) for t in TOWNS]
         + [('river', dict(T=t, R=RIVERS[t['river']])) for t in TOWNS if 'river' in t]
         + [('size', dict(T=t, J=SIZES[t['size']])) for t in TOWNS]
         + [('legs', dict(A=a, N=NUMBERS[a['legs']])) for a in ANIMALS if 'legs' in a]
         + [('diet', dict(A=a, F=FOOD[a['food']])) for a in ANIMALS if 'food' in a]
         + [('colours' if f.get('use') == 'buy' else 'colour', dict(F=f, C=by_name(COLOURS)[f['colour']]))
            for f in FOODS if 'colour' in f])

# what each fact is about (its town, animal or food): a document may add the facts about what it mentions
WORLD_ABOUT = [{e['en'] for name, e in slots.items() if name in 'TAF'} for _, slots in WORLD]

SLOT = re.compile(r'\{(\w+)(?:\.(\w+))?\}')
AGREE = re.compile(r'\[([^|\]]*)\|([^\]]*)\]')


def form(entry, lang, attr, g):
    """A word of the lexicon in one language: the attribute's form if it has one, else the plain
    form; a masculine|feminine pair is resolved by the gender g."""
    value = entry.get(f'{lang}.{attr}', entry[lang]) if attr else entry[lang]
    return value.split('|')[g == 'f'] if '|' in value else value


@functools.lru_cache(maxsize=None)
def parse(template, g):
    """A template as pieces (text, slot, attribute), its [a|b] choices made for gender g;
    the last piece has no slot. Cached: the same few hundred templates are filled again and again."""
    pieces, pos = [], 0
    for m in SLOT.finditer(template):
        pieces.append((AGREE.sub(lambda a: a[1 + (g == 'f')], template[pos:m.start()]), m[1], m[2]))
        pos = m.end()
    return pieces + [(AGREE.sub(lambda a: a[1 + (g == 'f')], template[pos:]), None, None)]


def fill(template, slots, lang, g):
    """A template with its slots filled: (text, {slot: (start, end)}). A slot's span is where its
    plain form stands, else its first form (in "有一只黑色的狗" the 只 comes from {X.cl})."""
    text, spans = '', {}
    for piece, name, attr in parse(template, g):
        text += piece
        if name is None:
            break
        value = form(slots[name], lang, attr, g)
        if lang == 'en' and text.endswith(' a ') and value[0] in 'aeiou':
            text = text[:-1] + 'n '  # "an elephant"
        if attr is None or name not in spans:
            spans[name] = (len(text), len(text) + len(value))
        text += value
    return text[0].upper() + text[1:], spans  # the English sentence starts with a capital


def say(frame, lang, question=None):
    """A sentence (or with question=i, its i-th question) in one language: (text, spans)."""
    kind, slots, pronoun = frame
    control, *templates, questions = FRAMES[kind]
    if question is not None:  # questions name the person even where the sentence said "he"
        templates, pronoun = questions[question][1:], False
    if pronoun:
        slots = dict(slots, P=PRONOUNS[slots['P']['g']])
    g = slots[control]['g'] if control else 'm'
    return fill(templates[LANG_COLUMN[lang] - 1], slots, lang, g)


def key(frame):
    """What a sentence says, the same in every language and with or without a pronoun."""
    kind, slots, _ = frame
    return (kind,) + tuple(sorted((name, entry['en']) for name, entry in slots.items()))


# -----------------------------------------------------------------------------------------------
# Documents: a few people, a few things about each, sometimes a fact of the world


def person_frames(rng, p, others, taken):
    """Every sentence the document could say about person p, consistent with one another:
    one home, one job, one age, different animals for pet and herd."""
    home, job = rng.choice(TOWNS), rng.choice(JOBS)
    age = rng.choice(CHILD_AGES if job['en'] == 'student' else ADULT_AGES)
    pet, herd = rng.sample(ANIMALS, 2)
    thing, owned = rng.sample(THINGS, 2)
    day, away = rng.choice(DAYS), rng.choice([t for t in TOWNS if t is not home])
    traits = [t for t in TRAITS if t['en'] != 'old' or age['en'] in ('sixty', 'seventy')]
    options = [
        ('live', dict(P=p, T=home)),
        ('job', dict(P=p, J=job)),
        ('work', dict(P=p, W=PLACES[job['place']])),
        ('age', dict(P=p, N=age)),
        ('likes', dict(P=p, F=rng.choice(LIKED))),
        ('eats', dict(P=p, F=(food := rng.choice(EATEN)), V=VERBS[food['morning']])),
        ('has', dict(P=p, X=pet, C=rng.choice(PET_COLOURS))),
        ('has', dict(P=p, X=thing, C=rng.choice(COLOURS))),
        ('owns', dict(P=p, X=owned, C=rng.choice(COLOURS))),
        ('herd', dict(P=p, A=herd, N=rng.choice(COUNTS))),
        ('went', dict(P=p, D=day, T=away, V=rng.choice(VEHICLES))),
        ('bought', dict(P=p, D=rng.choice(DAYS), N=rng.choice(COUNTS), F=rng.choice(BOUGHT))),
        ('trait', dict(P=p, J=rng.choice(traits))),
    ]
    if others:
        q = rng.choice(others)
        options += [('cooked', dict(P=p, Q=q, F=rng.choice(COOKED))),
                    ('meet', dict(P=p, Q=q, T=rng.choice(TOWNS)))]
        relation = rng.choice([r for r in RELATIONS if r.get('g', p['g']) == p['g']])
        if (q['en'], relation['en']) not in taken:  # "Who is Ram's friend?" has one answer
            options.append(('relation', dict(P=p, Q=q, R=relation)))
    return options


def document(rng, max_people=3):
    """A list of frames (kind, slots, pronoun): each person's sentences together, the first naming
    them and later ones sometimes saying he/she, then perhaps facts about what was mentioned."""
    people = rng.sample(PEOPLE, rng.randint(1, max_people))
    frames, taken = [], set()
    for p in people:
        options = person_frames(rng, p, [q for q in people if q is not p], taken)
        chosen = rng.sample(options, rng.randint(2, 5))
        for i, (kind, slots) in enumerate(chosen):
            frames.append((kind, slots, i > 0 and kind not in NO_PRONOUN and rng.random() < 0.4))
            if kind == 'relation':
                taken.add((slots['Q']['en'], slots['R']['en']))
    mentioned = {e['en'] for _, slots, _ in frames for e in slots.values()}
    facts = [f for f, about in zip(WORLD, WORLD_ABOUT) if about & mentioned]
    for kind, slots in rng.sample(facts, min(len(facts), rng.choice((0, 0, 1, 1, 2)))):
        frames.append((kind, slots, False))
    return frames


def render(frames, lang):
    """A document's text and, per frame, where its sentence starts."""
    texts, starts, pos = [], [], 0
    for frame in frames:
        text = say(frame, lang)[0]
        texts.append(text)
        starts.append(pos)
        pos += len(text) + len(SEP[lang])
    return SEP[lang].join(texts), starts


def questions(frames, lang):
    """Every question the document answers: (frame index, question index, question, answer, start)."""
    text, starts = render(frames, lang)
    out = []
    for i, frame in enumerate(frames):
        spans = say(frame, lang)[1]
        for j, (slot, *_) in enumerate(FRAMES[frame[0]][4]):
            start, end = spans[slot]
            answer = text[starts[i] + start:starts[i] + end]
            out.append((i, j, say(frame, lang, question=j)[0], answer, starts[i] + start))
    return out


def doc_key(frames):
    """What a document says, sentence by sentence (so also whether it says he/she)."""
    return tuple((key(f), f[2]) for f in frames)


def corpus(seed, n, exclude=frozenset(), max_people=3):
    """n different documents (lists of frames), none whose doc_key is in exclude."""
    rng, docs, seen = random.Random(seed), [], set(exclude)
    while len(docs) < n:
        frames = document(rng, max_people)
        if (k := doc_key(frames)) not in seen:
            seen.add(k)
            docs.append(frames)
    return docs


def sentence(rng):
    """One sentence with everyone named: a fact of the world now and then, else about a person."""
    if rng.random() < 0.1:
        kind, slots = rng.choice(WORLD)
    else:
        p, q = rng.sample(PEOPLE, 2)
        kind, slots = rng.choice(person_frames(rng, p, [q], set()))
    return kind, slots, False


def sentences(seed, n, exclude=frozenset()):
    """n different sentences whose keys are not in exclude."""
    rng, out, seen = random.Random(seed), [], set(exclude)
    while len(out) < n:
        frame = sentence(rng)
        if key(frame) not in seen:
            seen.add(key(frame))
            out.append(frame)
    return out


# -----------------------------------------------------------------------------------------------
# Instruction data (Alpaca format) and extractive QA (SQuAD v1.1 format)

INSTRUCTIONS = {
    'people': ('List the people named in the text.', 'पाठ में जिन लोगों के नाम हैं, उन्हें लिखिए।',
               '列出这段文字中提到的人。'),
    'cities': ('Which cities are named in the text?', 'पाठ में किन शहरों के नाम हैं?', '这段文字提到了哪些城市？'),
    'first': ('Write the first sentence of the text.', 'पाठ का पहला वाक्य लिखिए।', '写出这段文字的第一句话。'),
    'repeat': ('Repeat the following sentence.', 'नीचे दिया गया वाक्य दोहराइए।', '重复下面的句子。'),
    'replace': ('Rewrite the sentence with {Q} in place of {P}.', 'वाक्य में {P} की जगह {Q} लिखिए।',
                '把句子中的{P}换成{Q}。'),
    'words': ('Make a sentence from these words.', 'इन शब्दों से एक वाक्य बनाइए।', '用这些词造一个句子。'),
}


def listing(items, lang):
    """"Ram, Sita and Mohan" / "राम, सीता और मोहन" / "拉姆、悉多和莫汉"."""
    comma, last = {'en': (', ', ' and '), 'hi': (', ', ' और '), 'zh': ('、', '和')}[lang]
    return items[0] if len(items) == 1 else comma.join(items[:-1]) + last + items[-1]


def named(frames, slot_names, table_rows):
    """Entries of one table named in the document, in order of first mention."""
    out = []
    for _, slots, _ in frames:
        for name in slot_names:
            if name in slots and slots[name] in table_rows and slots[name] not in out:
                out.append(slots[name])
    return out


def each(f):
    """f(lang) for every language: {lang: value}."""
    return {lang: f(lang) for lang in LANGS}


def instruction(task, **names):
    return each(lambda lang: fill(INSTRUCTIONS[task][LANG_COLUMN[lang] - 1], names, lang, 'm')[0])


# x-LLaMA's QA prompts (NJUNLP/x-LLM data/xquad/xquad.py; evaluate.py's XLLAMA_QA_PROMPTS, qa_prompt='native'):
# the instruction, and the document then the question as the input, so the answer comes after both
XLLAMA_QA = {'en': ("Answer the final question with following context",
                    "Context: {context}\nQuestion: {question}\nAnswer: "),
             'hi': ("कृपया निम्नलिखित पैराग्राफ के अनुसार प्रश्नों के उत्तर दें",
                    "अनुच्छेद: {context}\nसवाल: {question}\nउत्तर: "),
             'zh': ("请根据以下段落，回答问题", "段落: {context}\n问题: {question}\n答案: ")}


def alpaca(seed, contexts, n_sentence):
    """Instruction records, the same task in each language: ({lang: [record]}, frames used).
    Tasks a small model can learn here: extractive questions on a text (one of the documents in
    contexts), the world's facts, listing the people or cities of a text, copying, renaming someone,
    making a sentence from its words."""
    rng, used, out = random.Random(seed), [], {lang: [] for lang in LANGS}

    def add(instructions, inputs, outputs):  # each argument: {lang: text}
        for lang in LANGS:
            out[lang].append({'instruction': instructions[lang], 'input': inputs[lang], 'output': outputs[lang]})

    for frames in contexts:
        context = each(lambda lang: render(frames, lang)[0])
        qs = each(lambda lang: questions(frames, lang))
        towns = named(frames, 'T', TOWNS)
        task = rng.choice(('question', 'question', 'question', 'question', 'people', 'cities', 'first'))
        if task == 'question' and qs['en']:
            for i in rng.sample(range(len(qs['en'])), min(2, len(qs['en']))):
                add(each(lambda lang: XLLAMA_QA[lang][0]),
                    each(lambda lang: XLLAMA_QA[lang][1].format(context=context[lang], question=qs[lang][i][2])),
                    each(lambda lang: qs[lang][i][3]))
        elif task == 'first':
            add(instruction(task), context, each(lambda lang: say(frames[0], lang)[0]))
        else:
            task = 'cities' if task == 'cities' and towns else 'people'
            items = towns if task == 'cities' else named(frames, 'PQ', PEOPLE)
            add(instruction(task), context, each(lambda lang: listing([e[lang] for e in items], lang)))
    for kind, slots in WORLD:  # every fact that answers a question, once, without a context
        frame = (kind, slots, False)
        said = each(lambda lang: say(frame, lang))
        for j, (slot, *_) in enumerate(FRAMES[kind][4]):
            add(each(lambda lang: say(frame, lang, question=j)[0]), each(lambda lang: ''),
                each(lambda lang: said[lang][0][slice(*said[lang][1][slot])]))
    for frame in sentences(seed + '-sentence', n_sentence):
        kind, slots, _ = frame
        said = each(lambda lang: say(frame, lang))
        text = each(lambda lang: said[lang][0])
        task = rng.choice(('repeat', 'replace', 'words'))
        used.append(frame)
        if task == 'repeat':
            add(instruction(task), text, text)
        elif task == 'replace' and 'P' in slots:  # Hindi agreement follows the new person
            new = rng.choice([p for p in PEOPLE if p is not slots['P'] and p is not slots.get('Q')])
            renamed = (kind, dict(slots, P=new), False)
            used.append(renamed)
            add(instruction(task, P=slots['P'], Q=new), text, each(lambda lang: say(renamed, lang)[0]))
        else:  # the words that fill its slots, shuffled
            order = rng.sample(sorted(said['en'][1]), len(said['en'][1]))
            comma = {'en': ', ', 'hi': ', ', 'zh': '、'}
            add(instruction('words'), each(lambda lang: comma[lang].join(
                text[lang][slice(*said[lang][1][s])] for s in order)), text)
    order = rng.sample(range(len(out['en'])), len(out['en']))  # one shuffle for all three languages
    return {lang: [records[i] for i in order] for lang, records in out.items()}, used


def quiz(frames):
    """An English document followed by every question it answers, with the answers, in one line:
    the reading-comprehension exercises that web text holds, and an English-centric base learns from."""
    qas = ''.join(f' Question: {q} Answer: {a}.' for _, _, q, a, _ in questions(frames, 'en'))
    return render(frames, 'en')[0] + qas


def squad(docs, lang, rng_seed, per_doc=4):
    """SQuAD v1.1 JSON (XQuAD's layout): one article per document; the same questions, ids and
    order in every language, since the question picks depend on the seed only."""
    rng, data = random.Random(rng_seed), []
    for d, frames in enumerate(docs):
        context = render(frames, lang)[0]
        qs = questions(frames, lang)
        if not qs:  # nothing to ask (only traits, say)
            continue
        picks = sorted(rng.sample(range(len(qs)), min(per_doc, len(qs))))
        qas = [{'id': f'demo-{d:03d}-{k}', 'question': qs[i][2],
                'answers': [{'text': qs[i][3], 'answer_start': qs[i][4]}]} for k, i in enumerate(picks)]
        data.append({'title': f'demo-{d:03d}', 'paragraphs': [{'context': context, 'qas': qas}]})
    return {'version': 'demo-1.0', 'data': data}


def dictionary(lang, text):
    """MUSE-format pairs (english, target) for every word of the lexicon, English lowercased as it
    appears in the text. A word with several forms gets several lines (black: काला, काली, काले);
    only forms that occur in text are kept (nothing black comes in twos here, so no काले)."""
    pairs = set()
    tables = (PEOPLE, TOWNS, list(COUNTRIES.values()), list(RIVERS.values()), list(SIZES.values()), ANIMALS,
              THINGS, COLOURS, FOODS, JOBS, list(PLACES.values()), VEHICLES, DAYS, list(NUMBERS.values()),
              RELATIONS, TRAITS, list(VERBS.values()), WORDS)
    for row in (row for rows in tables for row in rows if lang in row):
        forms = [(row['en'], row[lang])]
        if 'en.pl' in row:  # dogs: कुत्ते, 狗
            forms.append((row['en.pl'], row.get(lang + '.pl', row[lang])))
        elif lang + '.pl' in row:  # black: काले as well
            forms.append((row['en'], row[lang + '.pl']))
        pairs |= {(en.lower(), target) for en, targets in forms for target in targets.split('|')}
    if lang == 'hi':  # whole words; Chinese has no spaces, so a substring there
        text = set(re.findall(r'[^\s।?,]+', text))
    template = {(row['en'], row[lang]) for row in TEMPLATE_WORDS}  # never in the text, always listed
    return sorted({(en, target) for en, target in pairs if target in text} | template)


# -----------------------------------------------------------------------------------------------
# Writing the files

N_TRAIN = {'en': 5500, 'hi': 6000, 'zh': 2200}  # documents; Hindi: continued pretraining sees each ~4 times, not 15
N_VAL = {'en': 200, 'hi': 150, 'zh': 200}
N_PAIRS, N_FLORES = 3000, 100
# English documents of one person, each with all its questions and answers, in en.train.txt (never in Hindi or
# Chinese): copying the answer from the text is learnt from these, better from 20,000 than 8,000 (README.md, "The demo")
N_QUIZ = 20000
N_ALPACA_CONTEXTS, N_ALPACA_SENTENCES = 2400, 300  # many distinct questions: with few, SFT memorises them
N_QA_DOCS = 60


def write(path, text):
    """Write through a temporary name, so a file is never half-written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f'.{path.name}.tmp')
    tmp.write_text(text, encoding='utf-8')
    os.replace(tmp, path)


def lines(items):
    return ''.join(item + '\n' for item in items)


def as_json(obj):
    return json.dumps(obj, ensure_ascii=False, indent=1) + '\n'


def build():
    """Every output file: {relative path: text}. Training data first; then held-out data from
    other seeds, with no document equal to a training one (seen_docs) and no
    FLORES sentence saying what any training sentence says (seen_keys)."""
    files, seen_docs, seen_keys = {}, set(), set()
    for lang in LANGS:
        docs = corpus(f'{lang}.train', N_TRAIN[lang])
        files[f'{lang}.train.txt'] = lines(render(d, lang)[0] for d in docs)
        seen_docs.update(doc_key(d) for d in docs)
        seen_keys.update(key(f) for d in docs for f in d)
    quizzes = [d for d in corpus('en.quiz', N_QUIZ, seen_docs, max_people=1) if questions(d, 'en')]
    files['en.train.txt'] += lines(quiz(d) for d in quizzes)
    seen_docs.update(doc_key(d) for d in quizzes)
    seen_keys.update(key(f) for d in quizzes for f in d)
    pairs = sentences('pairs', N_PAIRS)
    seen_keys.update(key(f) for f in pairs)
    for lang in ('hi', 'zh'):
        files[f'en-{lang}.train.tsv'] = lines(f"{say(f, 'en')[0]}\t{say(f, lang)[0]}" for f in pairs)
    contexts = corpus('alpaca-context', N_ALPACA_CONTEXTS, seen_docs, max_people=2)
    seen_docs.update(doc_key(d) for d in contexts)
    records, used = alpaca('alpaca', contexts, N_ALPACA_SENTENCES)
    seen_keys.update(key(f) for f in used + [f for d in contexts for f in d])
    for lang in LANGS:
        files[f'alpaca_{lang}.json'] = as_json(records[lang])
    # held out
    for lang in LANGS:
        files[f'{lang}.val.txt'] = lines(render(d, lang)[0] for d in corpus(f'{lang}.val', N_VAL[lang], seen_docs))
    flores = sentences('flores', N_FLORES, seen_keys)
    for lang, name in (('en', 'eng_Latn'), ('hi', 'hin_Deva'), ('zh', 'zho_Hans')):
        files[f'flores/{name}.devtest'] = lines(say(f, lang)[0] for f in flores)
    qa_docs = corpus('qa', N_QA_DOCS, seen_docs)
    for lang in LANGS:
        files[f'qa/{lang}.json'] = as_json(squad(qa_docs, lang, 'qa-questions'))
    for lang in ('hi', 'zh'):
        text = files[f'{lang}.train.txt'] + lines(v for r in records[lang] for v in r.values())
        files[f'dict/en-{lang}.txt'] = lines(f'{en}\t{t}' for en, t in dictionary(lang, text))
    return files


def main(argv):
    out = Path(__file__).resolve().parent
    for arg in argv:
        if arg in ('-h', '--help'):
            print(__doc__)
            return
        if not arg.startswith('--out=') or arg == '--out=':
            sys.exit(f"error: argument {arg!r}: write python {Path(__file__).name} [--out=DIR]")
        out = Path(arg[len('--out='):])
    for name, text in build().items():
        write(out / name, text)


if __name__ == '__main__':
    main(sys.argv[1:])
