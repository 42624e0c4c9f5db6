"""How Multilingual is Multilingual LLM?: en->x translation on Flores-101 devtest with beam 4, scored in
spBLEU (sec. 3.2 "Setting"), then the quadrants of Eq. 1 (sec. 3.2) from the result files.
    python evaluate.py configs/eval_hml.py
    python evaluate.py configs/eval_hml.py --tasks="['quadrants']"     # once every run's result file exists
The first command writes out/eval/hml/{run}.json per checkpoint; the second reads them (no model).
Every model is evaluated on all 101 en->x pairs of Flores-101, as sec. 3.1 evaluates its bilingual models, and
T of Eq. 1 is the vanilla model's mean spBLEU over all of them (App. D sets T to the vanilla model's average on
Flores-101; Table 9's LLaMA column averages 1.84). The quadrants' output names the pairs T averaged.
configs/eval_hml_e12.py is App. E's cheaper reading: 12 representative languages (Table 9 gives T 2.09 there).
flores_dir holds Flores-101's devtest files named by FLORES-200 code ({code}.devtest), the names evaluate.py
knows (tokenize_prep.LANGUAGES). Where Flores-101's own file names differ: ara -> arb_Arab, fas -> pes_Arab,
msa -> zsm_Latn, ful -> fuv_Latn, orm -> gaz_Latn, uzb -> uzn_Latn, pus -> pbt_Arab, mon -> khk_Cyrl,
lav -> lvs_Latn, ckb -> ckb_Arab (HML's ku), zho_simpl -> zho_Hans, zho_trad -> zho_Hant; otherwise the code
plus its script (afr -> afr_Latn). The base model is LLaMA-7B as in the paper; the tuned runs here are this
repository's hml_sft_* (en->hi); configs/eval_hml_short.py, eval_hml_alpaca.py and eval_hml_altruistic.py
evaluate the other experiments' runs into the same out_dir, beside this vanilla result.
"""
tasks = ['mt']
ckpt_dirs = ['models/llama-7b', 'out/hml/embed/latest', 'out/hml/layer/latest', 'out/hml/lora/latest',
             'out/hml/full/latest']
out_dir = 'out/eval/hml'
device = 'cuda'
dtype = 'bfloat16'
max_seq_len = 2048
batch_size = 16
max_examples = 0  # the full devtest (1012 sentences)
flores_dir = 'data/eval/flores101/devtest'
# every en->x pair of Flores-101: the 101 targets of Table 9, by FLORES-200 code
mt_pairs = ['eng_Latn-afr_Latn', 'eng_Latn-amh_Ethi', 'eng_Latn-arb_Arab', 'eng_Latn-asm_Beng', 'eng_Latn-ast_Latn',
            'eng_Latn-azj_Latn', 'eng_Latn-bel_Cyrl', 'eng_Latn-ben_Beng', 'eng_Latn-bos_Latn', 'eng_Latn-bul_Cyrl',
            'eng_Latn-cat_Latn', 'eng_Latn-ceb_Latn', 'eng_Latn-ces_Latn', 'eng_Latn-ckb_Arab', 'eng_Latn-cym_Latn',
            'eng_Latn-dan_Latn', 'eng_Latn-deu_Latn', 'eng_Latn-ell_Grek', 'eng_Latn-est_Latn', 'eng_Latn-fin_Latn',
            'eng_Latn-fra_Latn', 'eng_Latn-fuv_Latn', 'eng_Latn-gaz_Latn', 'eng_Latn-gle_Latn', 'eng_Latn-glg_Latn',
            'eng_Latn-guj_Gujr', 'eng_Latn-hau_Latn', 'eng_Latn-heb_Hebr', 'eng_Latn-hin_Deva', 'eng_Latn-hrv_Latn',
            'eng_Latn-hun_Latn', 'eng_Latn-hye_Armn', 'eng_Latn-ibo_Latn', 'eng_Latn-ind_Latn', 'eng_Latn-isl_Latn',
            'eng_Latn-ita_Latn', 'eng_Latn-jav_Latn', 'eng_Latn-jpn_Jpan', 'eng_Latn-kam_Latn', 'eng_Latn-kan_Knda',
            'eng_Latn-kat_Geor', 'eng_Latn-kaz_Cyrl', 'eng_Latn-kea_Latn', 'eng_Latn-khk_Cyrl', 'eng_Latn-khm_Khmr',
            'eng_Latn-kir_Cyrl', 'eng_Latn-kor_Hang', 'eng_Latn-lao_Laoo', 'eng_Latn-lin_Latn', 'eng_Latn-lit_Latn',
            'eng_Latn-ltz_Latn', 'eng_Latn-lug_Latn', 'eng_Latn-luo_Latn', 'eng_Latn-lvs_Latn', 'eng_Latn-mal_Mlym',
            'eng_Latn-mar_Deva', 'eng_Latn-mkd_Cyrl', 'eng_Latn-mlt_Latn', 'eng_Latn-mri_Latn', 'eng_Latn-mya_Mymr',
            'eng_Latn-nld_Latn', 'eng_Latn-nob_Latn', 'eng_Latn-npi_Deva', 'eng_Latn-nso_Latn', 'eng_Latn-nya_Latn',
            'eng_Latn-oci_Latn', 'eng_Latn-ory_Orya', 'eng_Latn-pan_Guru', 'eng_Latn-pbt_Arab', 'eng_Latn-pes_Arab',
            'eng_Latn-pol_Latn', 'eng_Latn-por_Latn', 'eng_Latn-ron_Latn', 'eng_Latn-rus_Cyrl', 'eng_Latn-slk_Latn',
            'eng_Latn-slv_Latn', 'eng_Latn-sna_Latn', 'eng_Latn-snd_Arab', 'eng_Latn-som_Latn', 'eng_Latn-spa_Latn',
            'eng_Latn-srp_Cyrl', 'eng_Latn-swe_Latn', 'eng_Latn-swh_Latn', 'eng_Latn-tam_Taml', 'eng_Latn-tel_Telu',
            'eng_Latn-tgk_Cyrl', 'eng_Latn-tgl_Latn', 'eng_Latn-tha_Thai', 'eng_Latn-tur_Latn', 'eng_Latn-ukr_Cyrl',
            'eng_Latn-umb_Latn', 'eng_Latn-urd_Arab', 'eng_Latn-uzn_Latn', 'eng_Latn-vie_Latn', 'eng_Latn-wol_Latn',
            'eng_Latn-xho_Latn', 'eng_Latn-yor_Latn', 'eng_Latn-zho_Hans', 'eng_Latn-zho_Hant', 'eng_Latn-zsm_Latn',
            'eng_Latn-zul_Latn']
mt_beam = 4  # sec. 3.2 "Setting"; App. C
mt_max_new_tokens = 256  # ours (the paper gives no cap); App. F's lo and te reach 300+ LLaMA tokens a sentence
spm_path = 'models/sacrebleu_tokenizer_spm.model'  # sacrebleu's -tok flores101 model (fairseq/models/flores)
table_rows = ['mt/eng_Latn-afr_Latn/spbleu', 'mt/eng_Latn-ron_Latn/spbleu', 'mt/eng_Latn-hin_Deva/spbleu']
# quadrants: one language per tuned run; the four modes here all tune en->hi, so compare one at a time
quadrant_before = 'llama-7b'
quadrant_runs = {'hi': ['full', 'eng_Latn-hin_Deva']}
quadrant_multilingual = ['eng_Latn-afr_Latn', 'eng_Latn-ron_Latn']  # en->af and en->ro (sec. 3.2)
quadrant_metric = 'spbleu'
quadrant_threshold = 0.0  # 0 = T from the vanilla run (App. D)
quadrant_threshold_pairs = []  # [] = every pair of the vanilla run's result file: all 101 here (App. D)
