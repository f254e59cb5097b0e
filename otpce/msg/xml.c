/*
 * xml.c: the libxml2 side of the OTPCE codec: the embedded schema, loaded
 * once; the hardened reader every parser goes through; the writer every
 * builder goes through; the wiping allocator.
 */
#include <malloc.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlschemas.h>

#include "otpce/msg/msg_internal.h"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static xmlSchemaPtr schema;

/*
 * The wiping allocator.  A request's one-time password passes through
 * libxml2's input buffer, its attribute parser and the tree; libxml2 has
 * no hook to wipe those, so every block it frees is wiped first (its
 * usable size is what glibc and ASan report for it).  realloc never moves
 * a block without wiping the old copy.
 */
static void wipe_free(void *p)
{
	if (p != NULL) {
		crypto_wipe(p, malloc_usable_size(p));
		free(p);
	}
}

static void *wipe_realloc(void *p, size_t size)
{
	void *n;
	size_t old;

	if (p == NULL) {
		return malloc(size);
	}
	old = malloc_usable_size(p);
	n = malloc(size);
	if (n == NULL) {
		return NULL;
	}
	memcpy(n, p, old < size ? old : size);
	wipe_free(p);
	return n;
}

static char *wipe_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);

	if (d != NULL) {
		memcpy(d, s, n);
	}
	return d;
}

static void ignore_structured_error(void *ctx, xmlErrorPtr err)
{
}

static void init(void)
{
	xmlSchemaParserCtxtPtr pctxt;

	/* Before anything else libxml2 allocates (the blocks it already
	 * holds came from the same malloc, so wipe_free can free them). */
	xmlMemSetup(wipe_free, malloc, wipe_realloc, wipe_strdup);
	xmlInitParser();
	/* The schema's <xs:import> has no schemaLocation: nothing is loaded
	 * (and no parser here reads the network). */
	pctxt = xmlSchemaNewMemParserCtxt((const char *)otpce_xsd_bytes, (int)otpce_xsd_len);
	if (pctxt == NULL) {
		return;
	}
	xmlSchemaSetParserStructuredErrors(pctxt, ignore_structured_error, NULL);
	schema = xmlSchemaParse(pctxt);
	xmlSchemaFreeParserCtxt(pctxt);
}

NTSTATUS otpce_msg_init(void)
{
	if (pthread_once(&init_once, init) != 0 || schema == NULL) {
		return NT_STATUS_INTERNAL_ERROR;
	}
	return NT_STATUS_OK;
}

/* What the document-type hook tells the reader. */
struct read_state {
	bool saw_doctype;
};

/*
 * refuse_doctype replaces the SAX internalSubset callback.  libxml2 calls
 * it from xmlParseDocTypeDecl, after the name and external ID and before
 * the internal subset "[...]" is read (parser.c, xmlParseDocument): the
 * parser stops there, so no entity declaration of a hostile DTD is ever
 * parsed, let alone expanded.
 */
static void refuse_doctype(void *ctx, const xmlChar *name, const xmlChar *external_id,
			   const xmlChar *system_id)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct read_state *st = ctxt->_private;

	st->saw_doctype = true;
	xmlStopParser(ctxt);
}

static bool attr_allowed(const xmlAttr *a, const char *const *attrs)
{
	if (a->ns != NULL) {
		return false; /* xsi:type, xsi:schemaLocation, ...: none used */
	}
	for (size_t i = 0; attrs[i] != NULL; i++) {
		if (xmlStrEqual(a->name, (const xmlChar *)attrs[i])) {
			return true;
		}
	}
	return false;
}

NTSTATUS otpce_xml_read(const uint8_t *buf, size_t len, const char *root_name,
			const char *const *attrs, xmlDocPtr *out, const char **reason)
{
	struct read_state st = { .saw_doctype = false };
	xmlParserCtxtPtr ctxt = NULL;
	xmlSchemaValidCtxtPtr vctxt = NULL;
	xmlDocPtr doc = NULL;
	xmlNodePtr root = NULL;
	NTSTATUS status;

	status = otpce_msg_init();
	if (!NT_STATUS_IS_OK(status)) {
		crypto_set_reason(reason, "the OTPCE schema does not load");
		return status;
	}
	if (len == 0) {
		crypto_set_reason(reason, "empty message");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (len > OTPCE_MSG_MAX_LEN) {
		crypto_set_reason(reason, "message longer than OTPCE_MSG_MAX_LEN");
		return NT_STATUS_INVALID_PARAMETER;
	}
	/* NUL is no XML character, but libxml2 2.9's memory parser stops at
	 * one after the root element and reports a well-formed document:
	 * refuse it here, so no byte follows the document unseen. */
	if (memchr(buf, '\0', len) != NULL) {
		crypto_set_reason(reason, "not a well-formed UTF-8 XML document, or data follows it "
					  "(a NUL byte)");
		return NT_STATUS_INVALID_PARAMETER;
	}
	ctxt = xmlNewParserCtxt();
	if (ctxt == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	ctxt->_private = &st;
	ctxt->sax->internalSubset = refuse_doctype;
	/*
	 * NONET: no network.  Not NOENT, DTDLOAD, DTDATTR, DTDVALID, XINCLUDE
	 * or HUGE: no entity substitution, no external anything, libxml2's
	 * own depth and size limits stay on.  NODICT: every string of the
	 * tree is its own allocation, so wiped when freed.  The encoding is
	 * forced to UTF-8 (2.2, charset=utf-8): a UTF-16 body does not parse.
	 */
	doc = xmlCtxtReadMemory(ctxt, (const char *)buf, (int)len, NULL, "UTF-8",
				XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
					XML_PARSE_NODICT);
	if (st.saw_doctype) {
		crypto_set_reason(reason, "a document type declaration (DTD) is refused");
		status = NT_STATUS_INVALID_PARAMETER;
		goto out;
	}
	if (doc == NULL || !ctxt->wellFormed) {
		crypto_set_reason(reason, "not a well-formed UTF-8 XML document, or data follows it");
		status = NT_STATUS_INVALID_PARAMETER;
		goto out;
	}
	/* The body is read as UTF-8 whatever it declares; a declaration of
	 * another encoding is refused rather than ignored.  libxml2 2.9
	 * keeps the declared name in doc->encoding or, for encodings it
	 * maps itself, in the input's encoding. */
	if ((doc->encoding != NULL && strcasecmp((const char *)doc->encoding, "UTF-8") != 0) ||
	    (ctxt->input != NULL && ctxt->input->encoding != NULL &&
	     strcasecmp((const char *)ctxt->input->encoding, "UTF-8") != 0)) {
		crypto_set_reason(reason, "the document declares an encoding other than UTF-8");
		status = NT_STATUS_INVALID_PARAMETER;
		goto out;
	}
	/* 2.2.2/2.2.3: nothing before or after the element: no comment, no
	 * processing instruction, no document type (whitespace outside the
	 * root is not kept by libxml2). */
	for (xmlNodePtr n = doc->children; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE || root != NULL) {
			crypto_set_reason(reason, "something other than the one element "
						  "surrounds the document");
			status = NT_STATUS_INVALID_PARAMETER;
			goto out;
		}
		root = n;
	}
	if (root == NULL || root->ns == NULL ||
	    !xmlStrEqual(root->ns->href, (const xmlChar *)OTPCE_NAMESPACE)) {
		crypto_set_reason(reason, "the root element is not in the OTPCE namespace");
		status = NT_STATUS_INVALID_PARAMETER;
		goto out;
	}
	if (!xmlStrEqual(root->name, (const xmlChar *)root_name)) {
		crypto_set_reason(reason, "the root element is not the expected message");
		status = NT_STATUS_INVALID_PARAMETER;
		goto out;
	}
	vctxt = xmlSchemaNewValidCtxt(schema);
	if (vctxt == NULL) {
		status = NT_STATUS_NO_MEMORY;
		goto out;
	}
	xmlSchemaSetValidStructuredErrors(vctxt, ignore_structured_error, NULL);
	if (xmlSchemaValidateDoc(vctxt, doc) != 0) {
		crypto_set_reason(reason, "the message does not match the schema (Appendix A)");
		status = NT_STATUS_INVALID_PARAMETER;
		goto out;
	}
	for (xmlAttrPtr a = root->properties; a != NULL; a = a->next) {
		if (!attr_allowed(a, attrs)) {
			crypto_set_reason(reason, "an attribute the schema does not name");
			status = NT_STATUS_INVALID_PARAMETER;
			goto out;
		}
	}
	*out = doc;
	doc = NULL;
	status = NT_STATUS_OK;
out:
	if (vctxt != NULL) {
		xmlSchemaFreeValidCtxt(vctxt);
	}
	if (doc != NULL) {
		otpce_xml_free_doc(doc);
	}
	xmlFreeParserCtxt(ctxt);
	return status;
}

NTSTATUS otpce_xml_new_doc(const char *root_name, xmlDocPtr *doc, xmlNodePtr *root)
{
	xmlDocPtr d;
	xmlNodePtr r;
	xmlNsPtr ns;
	NTSTATUS status = otpce_msg_init();

	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	d = xmlNewDoc((const xmlChar *)"1.0");
	if (d == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	r = xmlNewDocNode(d, NULL, (const xmlChar *)root_name, NULL);
	if (r == NULL) {
		xmlFreeDoc(d);
		return NT_STATUS_NO_MEMORY;
	}
	xmlDocSetRootElement(d, r);
	ns = xmlNewNs(r, (const xmlChar *)OTPCE_NAMESPACE, NULL);
	if (ns == NULL) {
		xmlFreeDoc(d);
		return NT_STATUS_NO_MEMORY;
	}
	xmlSetNs(r, ns);
	*doc = d;
	*root = r;
	return NT_STATUS_OK;
}

NTSTATUS otpce_xml_write(xmlDocPtr doc, xmlChar **out, int *out_len)
{
	xmlChar *mem = NULL;
	int size = 0;

	xmlDocDumpMemoryEnc(doc, &mem, &size, "UTF-8");
	if (mem == NULL || size <= 0) {
		return NT_STATUS_NO_MEMORY;
	}
	*out = mem;
	*out_len = size;
	return NT_STATUS_OK;
}

void otpce_xml_free_doc(xmlDocPtr doc)
{
	xmlNodePtr root = xmlDocGetRootElement(doc);

	if (root != NULL) {
		for (xmlAttrPtr a = root->properties; a != NULL; a = a->next) {
			for (xmlNodePtr t = a->children; t != NULL; t = t->next) {
				if (t->content != NULL) {
					crypto_wipe(t->content, (size_t)xmlStrlen(t->content));
				}
			}
		}
	}
	xmlFreeDoc(doc);
}
