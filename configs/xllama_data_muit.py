"""x-LLaMA's multilingual instruction tuning (MuIT): English Alpaca plus, for each of its six languages
(Arabic, Greek, Hindi, Turkish, Vietnamese, Chinese), translated Alpaca and English->X translation
data, in one shuffled mixture. sft_budget takes the allocation evaluate.py's scaling law computes
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
                 'news_en-ar': {'path': ['corpora/news.en-ar.en', 'corpora/news.en-ar.ar'], 'lang': 'en-ar'},
                 'alpaca_el': {'path': 'corpora/alpaca_data_el.json', 'lang': 'el'},
                 'news_en-el': {'path': ['corpora/news.en-el.en', 'corpora/news.en-el.el'], 'lang': 'en-el'},
                 'alpaca_hi': {'path': 'corpora/alpaca_data_hi.json', 'lang': 'hi'},
                 'news_en-hi': {'path': ['corpora/news.en-hi.en', 'corpora/news.en-hi.hi'], 'lang': 'en-hi'},
                 'alpaca_tr': {'path': 'corpora/alpaca_data_tr.json', 'lang': 'tr'},
                 'news_en-tr': {'path': ['corpora/news.en-tr.en', 'corpora/news.en-tr.tr'], 'lang': 'en-tr'},
                 'alpaca_vi': {'path': 'corpora/alpaca_data_vi.json', 'lang': 'vi'},
                 'news_en-vi': {'path': ['corpora/news.en-vi.en', 'corpora/news.en-vi.vi'], 'lang': 'en-vi'},
                 'alpaca_zh': {'path': 'corpora/alpaca_data_zh.json', 'lang': 'zh'},
                 'news_en-zh': {'path': ['corpora/news.en-zh.en', 'corpora/news.en-zh.zh'], 'lang': 'en-zh'}}}
sft_budget = {}  # {source: examples}: all of each, unless an allocation is pasted here
report = {}
