/** At most this many reports leave one page load, each message cut to this many characters. */
export const PREVIEW_REPORTS_PER_LOAD = 50;
export const PREVIEW_REPORT_MAX_CHARS = 2048;

/** Where a page served under a preview token posts its errors (relative to the site path). */
export const PREVIEW_REPORT_PATH = '__errors';

/** A JSON literal safe inside an inline `<script>` (no `</script>`, no `<!--`). */
const scriptLiteral = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

/**
 * The script injected before the first script of a served page. The page runs in an opaque origin
 * (CSP sandbox without allow-same-origin), where `localStorage` and `sessionStorage` throw
 * SecurityError: it gives the page in-memory stand-ins, so ordinary sites work in the preview.
 * It also reports uncaught errors, unhandled rejections and console.error to the service, so the
 * agent can see what broke. The report is a `no-cors` text/plain POST: a simple request needs no
 * CORS preflight from the opaque origin, and the preview token in its path is the credential.
 */
export function previewScript(reportUrl: string, version: number): string {
  return `<script>(function(){
var url=${scriptLiteral(reportUrl)},version=${version},sent=0,max=${PREVIEW_REPORTS_PER_LOAD},cut=${PREVIEW_REPORT_MAX_CHARS};
function memory(){var m=new Map();return{
get length(){return m.size},
key:function(i){var k=Array.from(m.keys())[i];return k===undefined?null:k},
getItem:function(k){k=String(k);return m.has(k)?m.get(k):null},
setItem:function(k,v){m.set(String(k),String(v))},
removeItem:function(k){m.delete(String(k))},
clear:function(){m.clear()}};}
["localStorage","sessionStorage"].forEach(function(name){
try{if(window[name])return;}catch(e){}
try{Object.defineProperty(window,name,{value:memory(),configurable:true,enumerable:true});}catch(e){}});
function text(v){if(v instanceof Error)return v.stack||(v.name+": "+v.message);if(typeof v==="string")return v;try{return JSON.stringify(v);}catch(e){return String(v);}}
function report(kind,message,source,line,column){
if(sent>=max)return;sent+=1;
var body=JSON.stringify({kind:kind,message:String(message).slice(0,cut),source:source?String(source).slice(0,cut):null,
line:typeof line==="number"&&line>0?line:null,column:typeof column==="number"&&column>0?column:null,version:version});
try{fetch(url,{method:"POST",mode:"no-cors",headers:{"Content-Type":"text/plain"},body:body}).catch(function(){});}catch(e){}}
window.addEventListener("error",function(e){report("error",e.error?text(e.error):e.message,e.filename,e.lineno,e.colno);});
window.addEventListener("unhandledrejection",function(e){report("unhandledrejection",text(e.reason));});
var original=console.error;
console.error=function(){try{report("console.error",Array.prototype.map.call(arguments,text).join(" "));}catch(e){}
return original.apply(console,arguments);};
})();</script>`;
}
