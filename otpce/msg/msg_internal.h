/*
 * msg_internal.h: what the otpce/msg files share (not installed, not for
 * other folders).
 */
#ifndef OTPCE_MSG_MSG_INTERNAL_H
#define OTPCE_MSG_MSG_INTERNAL_H

#include <libxml/tree.h>

#include "otpce/msg/otpce_msg.h"

/* The schema bytes, generated from otpcep.xsd at build time (wscript_build). */
extern const unsigned char otpce_xsd_bytes[];
extern const size_t otpce_xsd_len;

/*
 * otpce_xml_read parses |len| bytes as one OTPCE document whose root is
 * |root_name| in OTPCE_NAMESPACE, with the rules of otpce_msg.h (size cap,
 * UTF-8, no DTD, no network, nothing but whitespace around the root, the
 * schema, only |attrs| (a NULL-terminated list) as attributes of the
 * root).  On success *out is the document (xmlFreeDoc it).
 */
NTSTATUS otpce_xml_read(const uint8_t *buf, size_t len, const char *root_name,
			const char *const *attrs, xmlDocPtr *out, const char **reason);

/* otpce_xml_new_doc creates a document whose root element |root_name|
 * is in the default namespace OTPCE_NAMESPACE. */
NTSTATUS otpce_xml_new_doc(const char *root_name, xmlDocPtr *doc, xmlNodePtr *root);

/* otpce_xml_write serializes |doc| (UTF-8, with the XML declaration)
 * into a libxml2 buffer; xmlFree it (it is wiped when freed). */
NTSTATUS otpce_xml_write(xmlDocPtr doc, xmlChar **out, int *out_len);

/* otpce_xml_free_doc wipes every attribute value of |doc|'s root, then
 * frees it (the request's root holds the one-time password). */
void otpce_xml_free_doc(xmlDocPtr doc);

/* otpce_base64_decode decodes an xs:base64Binary value (whitespace
 * allowed, as the schema's collapse rule lets it be) of at most |max_len|
 * decoded bytes into a new talloc buffer (NULL when empty). */
NTSTATUS otpce_base64_decode(TALLOC_CTX *mem_ctx, const char *text, size_t max_len,
			     uint8_t **out, size_t *out_len, const char **reason);

/* otpce_base64_encode: the canonical xs:base64Binary form (one line, no
 * whitespace) of |len| bytes, a NUL-terminated talloc string. */
NTSTATUS otpce_base64_encode(TALLOC_CTX *mem_ctx, const uint8_t *data, size_t len,
			     char **out);

#endif
