"""x-LLaMA (Zhu et al. 2023): XQuAD with its per-language prompts (App. C), answers generated greedily up
to 512 tokens as its inference.py does, EM/F1 on the first line and its substring match on the whole
output (Table 6), and ChatGPT's YES/NO on the first 100 answers (Table 2, App. D); Flores-101 en->x in
spBLEU (sec. 4; COMET and BLEURT are not computed here). The judge needs OPENAI_API_KEY.
    python evaluate.py configs/eval_xllama.py
MLQA (ar, hi, vi, zh) is the same command with its files:
    python evaluate.py configs/eval_xllama.py --qa_files="{'hi': 'data/eval/mlqa/test-context-hi-question-hi.json'}"
The base model is LLaMA-7B as in the paper.
"""
tasks = ['qa', 'mt', 'judge']
ckpt_dirs = ['out/xllama/muit/latest', 'out/xllama/coit_zh/latest']
out_dir = 'out/eval/xllama'
device = 'cuda'
dtype = 'bfloat16'
max_seq_len = 2048
batch_size = 16
max_examples = 0  # full test sets; the judge takes the first 100 of them
template = 'alpaca'  # x-LLaMA tunes and tests with stanford_alpaca's prompt
qa_files = {'ar': 'data/eval/xquad/xquad.ar.json', 'el': 'data/eval/xquad/xquad.el.json',
            'hi': 'data/eval/xquad/xquad.hi.json', 'tr': 'data/eval/xquad/xquad.tr.json',
            'vi': 'data/eval/xquad/xquad.vi.json', 'zh': 'data/eval/xquad/xquad.zh.json'}
qa_prompt = 'native'
qa_norm = 'squad'  # Table 6's exact match is the substring match; EM/F1 are extra
qa_max_new_tokens = 512  # NJUNLP/x-LLM inference.py: greedy, max_new_tokens 512
flores_dir = 'data/eval/flores101/devtest'
# FLORES-200 codes, the names evaluate.py knows (Flores-101's ara is arb_Arab, zho_simpl zho_Hans: eval_hml.py)
mt_pairs = ['eng_Latn-arb_Arab', 'eng_Latn-ell_Grek', 'eng_Latn-hin_Deva', 'eng_Latn-tur_Latn', 'eng_Latn-vie_Latn',
            'eng_Latn-zho_Hans']
mt_beam = 1  # inference.py: num_beams 1, no sampling
mt_max_new_tokens = 512
spm_path = 'models/sacrebleu_tokenizer_spm.model'
judge_url = 'https://api.openai.com/v1'
judge_mode = 'xllama-qa'  # gpt-3.5-turbo, temperature 0 (eval/xquad.eval.py)
table_rows = ['qa/ar/match', 'qa/el/match', 'qa/hi/match', 'qa/tr/match', 'qa/vi/match', 'qa/zh/match',
              'judge/ar/accuracy', 'judge/el/accuracy', 'judge/hi/accuracy', 'judge/tr/accuracy',
              'judge/vi/accuracy', 'judge/zh/accuracy']
