"""x-LLaMA's multilingual instruction tuning (MuIT): English Alpaca plus, for each of its six languages
(Arabic, Greek, Hindi, Turkish, Vietnamese, Chinese), translated Alpaca and English->X translation
data from WikiMatrix and News Commentary (x-LLaMA Table 1; News Commentary has no el, tr, vi), as OPUS's
line-aligned Moses files (a pair's files are named in alphabetical order: ar-en, el-en, en-hi, ...), in
one shuffled mixture. sft_budget takes the allocation evaluate.py's scaling law computes
(python evaluate.py --tasks="['scaling']" ... prints it in this form).
    python tokenize_prep.py configs/xllama_data_muit.py
"""
tokenizer_path = 'models/tokenizer.model'
tokenizer_train = ''
out_dir = 'data/xllama_muit'
pretrain = {}
pretrain_val = {}
sft = {'muit': {'alpaca_en': {'path': 'corpora/alpaca_data.json', 'lang': 'en'},
                 'alpaca_ar': {'path': 'corpora/alpaca_data_ar.json', 'lang': 'ar'},
                 'wikimatrix_en-ar': {'path': ['corpora/WikiMatrix.ar-en.en', 'corpora/WikiMatrix.ar-en.ar'],
                                       'lang': 'en-ar'},
                 'news_en-ar': {'path': ['corpora/News-Commentary.ar-en.en', 'corpora/News-Commentary.ar-en.ar'],
                                 'lang': 'en-ar'},
                 'alpaca_el': {'path': 'corpora/alpaca_data_el.json', 'lang': 'el'},
                 'wikimatrix_en-el': {'path': ['corpora/WikiMatrix.el-en.en', 'corpora/WikiMatrix.el-en.el'],
                                       'lang': 'en-el'},
                 'alpaca_hi': {'path': 'corpora/alpaca_data_hi.json', 'lang': 'hi'},
                 'wikimatrix_en-hi': {'path': ['corpora/WikiMatrix.en-hi.en', 'corpora/WikiMatrix.en-hi.hi'],
                                       'lang': 'en-hi'},
                 'news_en-hi': {'path': ['corpora/News-Commentary.en-hi.en', 'corpora/News-Commentary.en-hi.hi'],
                                 'lang': 'en-hi'},
                 'alpaca_tr': {'path': 'corpora/alpaca_data_tr.json', 'lang': 'tr'},
                 'wikimatrix_en-tr': {'path': ['corpora/WikiMatrix.en-tr.en', 'corpora/WikiMatrix.en-tr.tr'],
                                       'lang': 'en-tr'},
                 'alpaca_vi': {'path': 'corpora/alpaca_data_vi.json', 'lang': 'vi'},
                 'wikimatrix_en-vi': {'path': ['corpora/WikiMatrix.en-vi.en', 'corpora/WikiMatrix.en-vi.vi'],
                                       'lang': 'en-vi'},
                 'alpaca_zh': {'path': 'corpora/alpaca_data_zh.json', 'lang': 'zh'},
                 'wikimatrix_en-zh': {'path': ['corpora/WikiMatrix.en-zh.en', 'corpora/WikiMatrix.en-zh.zh'],
                                       'lang': 'en-zh'},
                 'news_en-zh': {'path': ['corpora/News-Commentary.en-zh.en', 'corpora/News-Commentary.en-zh.zh'],
                                 'lang': 'en-zh'}}}
sft_budget = {}  # {source: examples}: all of each, unless an allocation is pasted here
report = {}
