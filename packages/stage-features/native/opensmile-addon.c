/*
 * openSMILE from Node, no Python: an N-API addon that loads libSMILEapi.so (from the `opensmile`
 * wheel, provisioned by native/opensmile.mjs) with dlopen and runs one configuration over a 16-bit
 * PCM buffer, as opensmile-python's Smile.process_signal does: cExternalAudioSource `extsource`
 * in, cExternalSink `extsink` out, all samples written at once, then end of input, then run.
 *
 *   open(libraryPath)                          loads the library once per process
 *   extract(config, options, pcm) -> { data: Float32Array, frames, dims }
 *   names(config, options) -> string[]         the sink's column names
 *
 * `options` is a flat [name, value, name, value, ...] list of the config's \cm[...] options.
 * The declarations below are SMILEapi.h's (openSMILE's C API, progsrc/smileapi/SMILEapi.h), which
 * the wheel does not ship: only the functions and types this file calls.
 */
#define NAPI_VERSION 8
#define _GNU_SOURCE
#include <dlfcn.h>
#include <node_api.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct smileobj_t_ smileobj_t;
typedef struct {
  const char *name;
  const char *value;
} smileopt_t;
typedef struct {
  long vIdx;
  double time, period, lengthSec;
} sink_meta_t;
typedef bool (*sink_callback_ex)(const float *data, long nT, long n, const sink_meta_t *meta, void *param);

enum { SMILE_SUCCESS = 0 };

static struct {
  smileobj_t *(*new_)(void);
  int (*initialize)(smileobj_t *, const char *, int, const smileopt_t *, int, int, int, const char *);
  int (*run)(smileobj_t *);
  void (*free_)(smileobj_t *);
  int (*write_audio)(smileobj_t *, const char *, const void *, int);
  int (*audio_eoi)(smileobj_t *, const char *);
  int (*set_sink)(smileobj_t *, const char *, sink_callback_ex, void *);
  int (*num_elements)(smileobj_t *, const char *, long *);
  int (*element_name)(smileobj_t *, const char *, long, const char **);
  const char *(*error_msg)(smileobj_t *);
} api;
static void *library;
static char library_path[4096];
static pthread_mutex_t library_lock = PTHREAD_MUTEX_INITIALIZER;

#define SOURCE "extsource"
#define SINK "extsink"

static napi_value throw_error(napi_env env, const char *code, const char *message) {
  napi_throw_error(env, code, message);
  return NULL;
}

static bool string_arg(napi_env env, napi_value value, char *out, size_t size) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, value, out, size, &len) != napi_ok) return false;
  return len + 1 < size;
}

/* open(path): dlopen once; a second call with another path is an error (one library per process). */
static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  char path[4096];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || !string_arg(env, argv[0], path, sizeof path))
    return throw_error(env, "INVALID_ARG", "open(libraryPath): a path is required");
  char message[4600] = "";
  pthread_mutex_lock(&library_lock);
  if (library && strcmp(path, library_path) != 0) {
    snprintf(message, sizeof message, "libSMILEapi is already loaded from %s", library_path);
  } else if (!library) {
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      snprintf(message, sizeof message, "cannot load %s: %s", path, dlerror());
    } else {
#define BIND(field, symbol)                                                   \
  if (!message[0] && !(*(void **)&api.field = dlsym(handle, symbol)))        \
    snprintf(message, sizeof message, "%s has no symbol %s", path, symbol);
      BIND(new_, "smile_new");
      BIND(initialize, "smile_initialize");
      BIND(run, "smile_run");
      BIND(free_, "smile_free");
      BIND(write_audio, "smile_extaudiosource_write_data");
      BIND(audio_eoi, "smile_extaudiosource_set_external_eoi");
      BIND(set_sink, "smile_extsink_set_data_callback_ex");
      BIND(num_elements, "smile_extsink_get_num_elements");
      BIND(element_name, "smile_extsink_get_element_name");
      BIND(error_msg, "smile_error_msg");
#undef BIND
      if (message[0]) {
        dlclose(handle);
      } else {
        library = handle;
        snprintf(library_path, sizeof library_path, "%s", path);
      }
    }
  }
  pthread_mutex_unlock(&library_lock);
  if (message[0]) return throw_error(env, "OPENSMILE_LOAD", message);
  return NULL;
}

/* The config path and the flat option list of argv[0..1], as smileopt_t pairs (freed by the caller). */
typedef struct {
  char config[4096];
  int count;
  smileopt_t *options;
  char **strings;
} Setup;

static void setup_free(Setup *s) {
  if (s->strings)
    for (int i = 0; i < 2 * s->count; i++) free(s->strings[i]);
  free(s->strings);
  free(s->options);
}

static bool read_setup(napi_env env, napi_value config, napi_value list, Setup *s) {
  memset(s, 0, sizeof *s);
  if (!string_arg(env, config, s->config, sizeof s->config)) {
    throw_error(env, "INVALID_ARG", "config must be a path string");
    return false;
  }
  bool is_array = false;
  uint32_t n = 0;
  if (napi_is_array(env, list, &is_array) != napi_ok || !is_array ||
      napi_get_array_length(env, list, &n) != napi_ok || n % 2 != 0) {
    throw_error(env, "INVALID_ARG", "options must be a flat [name, value, ...] string array");
    return false;
  }
  s->count = (int)(n / 2);
  s->options = calloc(s->count + 1, sizeof(smileopt_t));
  s->strings = calloc(n + 1, sizeof(char *));
  for (uint32_t i = 0; i < n; i++) {
    napi_value item;
    size_t len = 0;
    napi_get_element(env, list, i, &item);
    if (napi_get_value_string_utf8(env, item, NULL, 0, &len) != napi_ok) {
      throw_error(env, "INVALID_ARG", "options must be strings");
      setup_free(s);
      return false;
    }
    s->strings[i] = malloc(len + 1);
    napi_get_value_string_utf8(env, item, s->strings[i], len + 1, &len);
  }
  for (int i = 0; i < s->count; i++) {
    s->options[i].name = s->strings[2 * i];
    s->options[i].value = s->strings[2 * i + 1];
  }
  return true;
}

/* A new instance initialised with the setup, or NULL with `message` set. */
static smileobj_t *instance(const Setup *s, char *message, size_t size) {
  if (!library) {
    snprintf(message, size, "libSMILEapi is not loaded: call open() first");
    return NULL;
  }
  smileobj_t *obj = api.new_();
  if (!obj) {
    snprintf(message, size, "smile_new failed");
    return NULL;
  }
  if (api.initialize(obj, s->config, s->count, s->options, 0, 0, 0, NULL) != SMILE_SUCCESS) {
    const char *why = api.error_msg(obj);
    snprintf(message, size, "smile_initialize(%s): %s", s->config, why && why[0] ? why : "failed");
    api.free_(obj);
    return NULL;
  }
  return obj;
}

typedef struct {
  float *data;
  size_t used, capacity;
  long dims;
  bool mismatch;
} Frames;

static bool on_frames(const float *data, long nT, long n, const sink_meta_t *meta, void *param) {
  (void)meta;
  Frames *f = param;
  if (f->dims == 0) f->dims = n;
  if (n != f->dims) {
    f->mismatch = true;
    return false;
  }
  size_t need = f->used + (size_t)nT * (size_t)n;
  if (need > f->capacity) {
    size_t capacity = f->capacity ? f->capacity : 4096;
    while (capacity < need) capacity *= 2;
    float *grown = realloc(f->data, capacity * sizeof(float));
    if (!grown) abort();
    f->data = grown;
    f->capacity = capacity;
  }
  memcpy(f->data + f->used, data, (size_t)nT * (size_t)n * sizeof(float));
  f->used = need;
  return true;
}

static void set_number(napi_env env, napi_value object, const char *name, double value) {
  napi_value v;
  napi_create_double(env, value, &v);
  napi_set_named_property(env, object, name, v);
}

/* extract(config, options, pcm: Int16Array) -> { data, frames, dims } */
static napi_value js_extract(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 3) return throw_error(env, "INVALID_ARG", "extract(config, options, pcm)");
  napi_typedarray_type type;
  size_t length = 0;
  void *pcm = NULL;
  if (napi_get_typedarray_info(env, argv[2], &type, &length, &pcm, NULL, NULL) != napi_ok ||
      type != napi_int16_array)
    return throw_error(env, "INVALID_ARG", "pcm must be an Int16Array");
  if (length > (size_t)(INT32_MAX / 2)) return throw_error(env, "INVALID_ARG", "pcm is too long");
  Setup s;
  if (!read_setup(env, argv[0], argv[1], &s)) return NULL;
  char message[6000] = "";
  Frames frames = {0};
  smileobj_t *obj = instance(&s, message, sizeof message);
  if (obj) {
    const char *failed = NULL;
    if (api.set_sink(obj, SINK, on_frames, &frames) != SMILE_SUCCESS) failed = "smile_extsink_set_data_callback_ex";
    else if (length > 0 && api.write_audio(obj, SOURCE, pcm, (int)(length * sizeof(int16_t))) != SMILE_SUCCESS)
      failed = "smile_extaudiosource_write_data";
    else if (api.audio_eoi(obj, SOURCE) != SMILE_SUCCESS) failed = "smile_extaudiosource_set_external_eoi";
    else if (api.run(obj) != SMILE_SUCCESS) failed = "smile_run";
    if (failed) {
      const char *why = api.error_msg(obj);
      snprintf(message, sizeof message, "%s: %s", failed, why && why[0] ? why : "failed");
    } else if (frames.mismatch) {
      snprintf(message, sizeof message, "the sink's frames changed width mid-run");
    }
    api.free_(obj);
  }
  setup_free(&s);
  if (message[0]) {
    free(frames.data);
    return throw_error(env, "OPENSMILE_RUN", message);
  }
  napi_value result, buffer, array;
  size_t count = frames.used;
  napi_create_object(env, &result);
  /* A copy in a V8-owned buffer: worker threads transfer it to the main thread (external buffers cannot move). */
  void *copy = NULL;
  napi_create_arraybuffer(env, count * sizeof(float), &copy, &buffer);
  if (count > 0) memcpy(copy, frames.data, count * sizeof(float));
  free(frames.data);
  napi_create_typedarray(env, napi_float32_array, count, buffer, 0, &array);
  napi_set_named_property(env, result, "data", array);
  set_number(env, result, "frames", frames.dims ? (double)(count / (size_t)frames.dims) : 0);
  set_number(env, result, "dims", (double)frames.dims);
  return result;
}

/* names(config, options) -> the sink's element names */
static napi_value js_names(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2) return throw_error(env, "INVALID_ARG", "names(config, options)");
  Setup s;
  if (!read_setup(env, argv[0], argv[1], &s)) return NULL;
  char message[6000] = "";
  smileobj_t *obj = instance(&s, message, sizeof message);
  setup_free(&s);
  if (!obj) return throw_error(env, "OPENSMILE_RUN", message);
  long n = 0;
  napi_value list;
  if (api.num_elements(obj, SINK, &n) != SMILE_SUCCESS) {
    api.free_(obj);
    return throw_error(env, "OPENSMILE_RUN", "smile_extsink_get_num_elements failed");
  }
  napi_create_array_with_length(env, (size_t)n, &list);
  for (long i = 0; i < n; i++) {
    const char *name = NULL;
    napi_value v;
    if (api.element_name(obj, SINK, i, &name) != SMILE_SUCCESS || !name) {
      api.free_(obj);
      return throw_error(env, "OPENSMILE_RUN", "smile_extsink_get_element_name failed");
    }
    napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &v);
    napi_set_element(env, list, (uint32_t)i, v);
  }
  api.free_(obj);
  return list;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL},
      {"extract", NULL, js_extract, NULL, NULL, NULL, napi_default, NULL},
      {"names", NULL, js_names, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
