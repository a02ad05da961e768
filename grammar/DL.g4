// DL.g4 - the grammar of the dlc language.
//
// A program is a sequence of declarations: `use` of a stdlib module, `layer`
// definitions (reusable building blocks with their own parameters), `model`
// definitions (the networks that get trained) and `train` blocks (the recipe).
// Newlines are whitespace; statements need no terminator because every
// statement starts with a keyword or `name =`. `#` starts a comment.
// `step` is not a keyword (the `step(...)` schedule needs the name): a train
// block item `NAME (vars) { ... }` is checked to be `step` by the parser.
grammar DL;

program : decl* EOF ;

decl
  : useDecl
  | layerDecl
  | modelDecl
  | trainDecl
  ;

useDecl : USE IDENT ('.' IDENT)* ;

layerDecl : LAYER IDENT '(' paramList? ')' ('->' typeExpr)? block ;
modelDecl : MODEL IDENT '(' paramList? ')' ('->' typeExpr)? block ;

paramList : param (',' param)* ','? ;
param     : IDENT ':' typeExpr ('=' expr)? ;

typeExpr
  : IDENT '[' (dim (',' dim)*)? ']'   # tensorType
  | IDENT                             # scalarType
  ;

dim
  : '...'                             # ellipsisDim
  | expr                              # exprDim
  ;

block : '{' stmt* '}' ;

stmt
  : PARAM IDENT ':' typeExpr (INIT expr)?            # paramStmt
  | BUFFER IDENT ':' typeExpr (INIT expr)?           # bufferStmt
  | RETURN expr                                      # returnStmt
  | UPDATE IDENT WITH expr MINIMIZING expr           # updateStmt
  | IF expr block (ELSE block)?                      # ifStmt
  | FOR IDENT IN expr block                          # forStmt
  | target '=' expr                                  # assignStmt
  ;

target
  : IDENT                                            # nameTarget
  | '(' IDENT (',' IDENT)+ ')'                       # tupleTarget
  ;

trainDecl : TRAIN IDENT '{' trainItem* '}' ;

trainItem
  : IDENT '=' expr                                   # trainSetting
  | IDENT '(' IDENT (',' IDENT)* ')' block           # trainStep
  ;

expr
  : expr lb='[' subscript (',' subscript)* ','? ']'  # indexExpr
  | '-' expr                                         # negExpr
  | expr op=('*' | '/' | '@') expr                   # mulExpr
  | expr op=('+' | '-') expr                         # addExpr
  | expr op=('==' | '!=' | '<' | '<=' | '>' | '>=') expr # cmpExpr
  | primary                                          # primaryExpr
  ;

primary
  : IDENT '(' argList? ')'                           # callExpr
  | IDENT                                            # nameExpr
  | INT                                              # intExpr
  | FLOAT                                            # floatExpr
  | STRING                                           # stringExpr
  | (TRUE | FALSE)                                   # boolExpr
  | '[' (expr (',' expr)* ','?)? ']'                 # listExpr
  | '(' expr ')'                                     # parenExpr
  | '(' expr ',' (expr (',' expr)*)? ','? ')'        # tupleExpr
  ;

// `x[i]`, `x[:, 3:7]`, `x[..., ::2]`, `w[ids]`: Python's and numpy's
// indexing (Sema turns each subscript into slice, reshape or gather).
subscript
  : '...'                                            # ellipsisSub
  | lo=expr? ':' hi=expr? (':' st=expr?)?            # sliceSub
  | expr                                             # indexSub
  ;

argList : arg (',' arg)* ','? ;
arg     : (IDENT '=')? expr ;

// --- Lexer ------------------------------------------------------------------
USE        : 'use' ;
LAYER      : 'layer' ;
MODEL      : 'model' ;
TRAIN      : 'train' ;
PARAM      : 'param' ;
BUFFER     : 'buffer' ;
INIT       : 'init' ;
RETURN     : 'return' ;
UPDATE     : 'update' ;
WITH       : 'with' ;
MINIMIZING : 'minimizing' ;
IF         : 'if' ;
ELSE       : 'else' ;
FOR        : 'for' ;
IN         : 'in' ;
TRUE       : 'true' ;
FALSE      : 'false' ;

IDENT  : [a-zA-Z_] [a-zA-Z_0-9]* ;
FLOAT  : DIGITS '.' DIGITS? EXPONENT? | DIGITS EXPONENT | '.' DIGITS EXPONENT? ;
INT    : DIGITS ;
STRING : '"' (~["\\\r\n] | '\\' ~[\r\n])* '"' ;

fragment DIGITS   : [0-9]+ ;
fragment EXPONENT : [eE] [+-]? DIGITS ;

COMMENT : '#' ~[\r\n]* -> skip ;
WS      : [ \t\r\n]+ -> skip ;

// Anything else is a lexical error; one token keeps the error message local.
ERROR_CHAR : . ;
