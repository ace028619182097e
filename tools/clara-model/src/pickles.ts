/**
 * The pickled texts of a project (clara-facts §2.4) and why their paths matter at run time.
 *
 * `CLARAProjectInternal.save_internalised_and_annotated_text` (clara_main.py) pickles the annotated
 * `clara_classes.Text` to `clara_content/<internal_id>/internalised_and_annotated_text.pickle`
 * (`…_phonetic.pickle` for the phonetic text). Its words and segments carry
 * `annotations['tts']['file_path']`: the absolute path `orm_audio_metadata.file_path` held when
 * the audio annotator ran. `get_saved_internalised_and_annotated_text` loads the pickle back, and
 * `clara_reading_histories.ReadingHistoryInternal.render_combined_text_object` renders that Text
 * with `StaticHTMLRenderer.render_text(self_contained=True)`, whose
 * `adjust_audio_file_paths_in_segment_list` copies each of those paths into `multimedia/`
 * (`copy_file(old_audio_file_path, …)`): with the old root, the copy fails (a warning only) and the
 * re-rendered reading history has no word or segment audio. For a reading history the pickle is
 * the primary data (its text exists nowhere else), so regenerating it is no option.
 * Page-level audio (`get_top_level_audio_file_path`: engine/language/voice + basename) and images
 * (`image_dir_for_project_id` + `src`) are resolved without the pickled path.
 */
export const PICKLE_FILES = ['internalised_and_annotated_text.pickle', 'internalised_and_annotated_text_phonetic.pickle'] as const
