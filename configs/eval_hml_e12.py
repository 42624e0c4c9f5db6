"""How Multilingual, App. E's cheaper evaluation: every model on the 12 representative languages of Table 11 (one
per language family, af beside ro: ha, he, mi, ta, af, ro, th, ns, luo, zh, tr, et) and on its own en->x pair, beam 4,
spBLEU; then the quadrants, with T the vanilla model's mean over those 12 (Table 9's LLaMA scores give 2.09 there,
against 1.84 over all 101 pairs: configs/eval_hml.py is App. D's T). A run's own pair (en->hi here) is evaluated
but left out of T.
    python evaluate.py configs/eval_hml_e12.py
    python evaluate.py configs/eval_hml_e12.py --tasks="['quadrants']"
"""
tasks = ['mt']
ckpt_dirs = ['models/llama-7b', 'out/hml/embed/latest', 'out/hml/layer/latest', 'out/hml/lora/latest',
             'out/hml/full/latest']
out_dir = 'out/eval/hml_e12'
device = 'cuda'
dtype = 'bfloat16'
max_seq_len = 2048
batch_size = 16
max_examples = 0  # the full devtest (1012 sentences)
flores_dir = 'data/eval/flores101/devtest'
# App. E, Table 11, then the tuned runs' own pair
mt_pairs = ['eng_Latn-hau_Latn', 'eng_Latn-heb_Hebr', 'eng_Latn-mri_Latn', 'eng_Latn-tam_Taml', 'eng_Latn-afr_Latn',
            'eng_Latn-ron_Latn', 'eng_Latn-tha_Thai', 'eng_Latn-nso_Latn', 'eng_Latn-luo_Latn', 'eng_Latn-zho_Hans',
            'eng_Latn-tur_Latn', 'eng_Latn-est_Latn', 'eng_Latn-hin_Deva']
mt_beam = 4  # sec. 3.2 "Setting"; App. C
mt_max_new_tokens = 256  # ours (the paper gives no cap); App. F's lo and te reach 300+ LLaMA tokens a sentence
spm_path = 'models/sacrebleu_tokenizer_spm.model'  # sacrebleu's -tok flores101 model (fairseq/models/flores)
table_rows = ['mt/eng_Latn-afr_Latn/spbleu', 'mt/eng_Latn-ron_Latn/spbleu', 'mt/eng_Latn-hin_Deva/spbleu']
quadrant_before = 'llama-7b'
quadrant_runs = {'hi': ['full', 'eng_Latn-hin_Deva']}
quadrant_multilingual = ['eng_Latn-afr_Latn', 'eng_Latn-ron_Latn']  # en->af and en->ro (sec. 3.2)
quadrant_metric = 'spbleu'
quadrant_threshold = 0.0  # 0 = T from the vanilla run (App. D)
# T over Table 11's 12 languages (App. E), not the tuned pair
quadrant_threshold_pairs = ['eng_Latn-hau_Latn', 'eng_Latn-heb_Hebr', 'eng_Latn-mri_Latn', 'eng_Latn-tam_Taml',
                            'eng_Latn-afr_Latn', 'eng_Latn-ron_Latn', 'eng_Latn-tha_Thai', 'eng_Latn-nso_Latn',
                            'eng_Latn-luo_Latn', 'eng_Latn-zho_Hans', 'eng_Latn-tur_Latn', 'eng_Latn-est_Latn']
